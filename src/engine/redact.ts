/**
 * Secret redaction. Every string that leaves the engine (request log, errors, events) passes
 * through a Redactor built from the credential values of the read, so a secret cannot leak
 * through a URL, a header or an echoed response body.
 */
const mask = "[REDACTED]";
const secretHeaderNames = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie"]);

export class Redactor {
  private readonly secrets: string[] = [];

  /** Adds a secret value; its URL-encoded and form-encoded spellings are masked too. */
  add(value: unknown): void {
    if (typeof value !== "string" || value.length < 3) return;
    for (const form of [value, encodeURIComponent(value), encodeURIComponent(value).replace(/%20/g, "+")]) {
      if (!this.secrets.includes(form)) this.secrets.push(form);
    }
    // Longest first, so a secret containing another is masked whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  text(value: string): string {
    let out = value;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(mask);
    return out;
  }

  headers(
    headers: Readonly<Record<string, string>>,
    extraSecretHeaders: ReadonlySet<string> = new Set(),
  ): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      out[name] = secretHeaderNames.has(lower) || extraSecretHeaders.has(lower) ? mask : this.text(value);
    }
    return out;
  }
}
