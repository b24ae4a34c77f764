/**
 * Secret redaction. Every string that leaves the engine (request log, errors, events) passes
 * through the Redactor of its read, which holds the credential values of the read (and any token
 * minted during it), so a secret cannot leak through a URL, a header or an echoed response body.
 */
const mask = "[REDACTED]";
const secretHeaderNames = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie"]);

/** Secrets shorter than this are not masked in free text (they would mask half the log); headers still are. */
const minimumSecretLength = 3;

export class Redactor {
  private secrets: string[] = [];

  /** Adds a secret; its URL-encoded, form-encoded and JSON-escaped spellings are masked too. */
  add(value: unknown): void {
    if (typeof value !== "string" || value.length < minimumSecretLength) return;
    const encoded = encodeURIComponent(value);
    const forms = [value, encoded, encoded.replace(/%20/g, "+"), JSON.stringify(value).slice(1, -1)];
    let added = false;
    for (const form of forms) {
      if (!this.secrets.includes(form)) {
        this.secrets.push(form);
        added = true;
      }
    }
    // Longest first, so a secret containing another is masked whole.
    if (added) this.secrets.sort((a, b) => b.length - a.length);
  }

  /** Length of the longest form masked (bodyExcerpt redacts this far past its cut). */
  get longestSecret(): number {
    return this.secrets[0]?.length ?? 0;
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
