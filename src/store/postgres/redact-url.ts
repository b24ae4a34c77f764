/** The URL with its password replaced by "***", safe for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    // Libpq-style ?password= works too; never echo it.
    if (parsed.searchParams.has("password")) parsed.searchParams.set("password", "***");
    return parsed.toString();
  } catch {
    // Unparseable: drop everything between "://" and "@", where a password would be.
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}
