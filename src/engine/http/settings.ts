import type { EgressPolicy } from "./egress.ts";

/** HTTP behaviour of a read. Tests shrink the waits; defaults suit real APIs. */
export interface HttpSettings {
  /** Which addresses may be connected to (egress.ts). */
  readonly egress: EgressPolicy;
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  /** Retries after the first attempt, for 429, 5xx, network errors and timeouts. */
  readonly maxRetries: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Total time one request may spend waiting between retries before it fails. */
  readonly maxTotalWaitMs: number;
  /** A Retry-After above this is clamped to it. */
  readonly retryAfterCapMs: number;
  /** A body above this fails rather than exhausting memory. */
  readonly maxBodyBytes: number;
  readonly userAgent: string;
}

export const defaultHttpSettings: HttpSettings = {
  egress: "no-link-local",
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 60_000,
  bodyTimeoutMs: 60_000,
  maxRetries: 5,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  maxTotalWaitMs: 120_000,
  retryAfterCapMs: 60_000,
  maxBodyBytes: 256 * 1024 * 1024,
  userAgent: "inlet-engine",
};

export function httpSettings(overrides: Partial<HttpSettings> | undefined): HttpSettings {
  return { ...defaultHttpSettings, ...overrides };
}
