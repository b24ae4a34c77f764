/**
 * The REST source engine (spec §3-§5). Public API:
 * - `readRecords(request)` → `ReadHandle`: an async iterable of records, streamed page by page
 *   (memory bounded by one page). After iteration, `summary()` gives pages, records, requests,
 *   retries, bytes, the `stopReason` and any `EngineError`; `requestLog` holds the last 1000
 *   requests with every secret redacted.
 * - `explainFirstRequest(request)`: the first request, rendered and redacted; sends nothing.
 * - `testAuthorization(request)`: GET `authorizationTestUrl` with auth; `{ok, status?, reason?}`.
 * - `EngineError` (`kind`: spec | params | auth | upstream | network | timeout | loop | extraction).
 * A `ReadRequest` carries the whole connection spec, auth params (credentials), source params,
 * an optional incremental window, limits, `http` overrides (timeouts, retries), `now`, and
 * callbacks for rotated OAuth credentials and per-request/page/retry events.
 */

export { type AuthorizationResult, testAuthorization } from "./auth/test-authorization.ts";
export type { RotatedCredentials } from "./auth/types.ts";
export { EngineError, type EngineErrorKind, engineErrorKinds } from "./errors.ts";
export { defaultHttpSettings, type HttpSettings } from "./http/settings.ts";
export { stopReasons } from "./pagination/index.ts";
export { sourceSettings } from "./plan.ts";
export {
  explainFirstRequest,
  type ReadEvent,
  type ReadHandle,
  type ReadRequest,
  type ReadSummary,
  type ReadWindow,
  type RedactedRequest,
  type RequestLogEntry,
  readRecords,
  type StopReason,
} from "./read.ts";
