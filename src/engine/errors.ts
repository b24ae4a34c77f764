/** Errors a read can end with. `kind` is stable (callers map it to exit codes and run statuses). */
export const engineErrorKinds = [
  "spec",
  "params",
  "auth",
  "upstream",
  "network",
  "timeout",
  "loop",
  "extraction",
] as const;
export type EngineErrorKind = (typeof engineErrorKinds)[number];

export interface EngineErrorDetails {
  readonly url?: string;
  readonly status?: number;
  readonly bodyExcerpt?: string;
}

export class EngineError extends Error {
  override readonly name = "EngineError";
  readonly url?: string;
  readonly status?: number;
  readonly bodyExcerpt?: string;

  constructor(
    readonly kind: EngineErrorKind,
    message: string,
    details: EngineErrorDetails = {},
  ) {
    super(message);
    if (details.url !== undefined) this.url = details.url;
    if (details.status !== undefined) this.status = details.status;
    if (details.bodyExcerpt !== undefined) this.bodyExcerpt = details.bodyExcerpt;
  }
}

const excerptLength = 300;

/** What an excerpt needs of a read's Redactor (src/engine/redact.ts). */
export interface ExcerptRedactor {
  text(value: string): string;
  /** Length of the longest secret form it masks. */
  readonly longestSecret: number;
}

/**
 * The first few hundred characters of a body, enough to diagnose without flooding a log. With a
 * redactor, the text is redacted before it is cut, over enough characters to hold any secret that
 * starts inside the excerpt: cutting first would leave a piece of a secret (the end of an excerpt
 * falling inside an echoed token) that no redactor recognises any more.
 */
export function bodyExcerpt(body: string | Buffer, redactor?: ExcerptRedactor): string {
  const chars = (excerptLength + (redactor?.longestSecret ?? 0)) * 2;
  const raw = typeof body === "string" ? body.slice(0, chars) : body.subarray(0, chars * 2).toString("utf8");
  const text = redactor ? redactor.text(raw) : raw;
  return text.length > excerptLength ? `${text.slice(0, excerptLength)}…` : text;
}
