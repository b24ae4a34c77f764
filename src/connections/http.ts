import type { HttpSettings } from "../engine/index.ts";
import type { ConnectionDeps } from "./deps.ts";

/**
 * HTTP settings for calls a person waits on (create's authorization test, explore, test): fewer
 * and shorter retries than a scheduled read, so a failing source answers in seconds, not minutes.
 */
export const interactiveHttp: Partial<HttpSettings> = {
  maxRetries: 2,
  backoffBaseMs: 250,
  backoffMaxMs: 2_000,
  maxTotalWaitMs: 5_000,
  retryAfterCapMs: 2_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
};

/** interactiveHttp under the deployment's egress policy. */
export function interactiveHttpFor(deps: ConnectionDeps): Partial<HttpSettings> {
  return deps.egress === undefined ? interactiveHttp : { ...interactiveHttp, egress: deps.egress };
}
