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

/** The first few hundred characters of a body, enough to diagnose without flooding a log. */
export function bodyExcerpt(body: string | Buffer): string {
  const text =
    typeof body === "string" ? body.slice(0, excerptLength * 2) : body.subarray(0, excerptLength * 4).toString("utf8");
  return text.length > excerptLength ? `${text.slice(0, excerptLength)}…` : text;
}
