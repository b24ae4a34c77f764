/**
 * The REST source engine (spec §3-§5): a library with no dependency on the server, the store or
 * the CLI. A connection spec, credentials (auth params), source params and an optional window go
 * in; an async stream of records, a request log and a stop reason come out.
 * - `readRecords(request)` → `ReadHandle`: an async iterable of records, streamed page by page
 *   (memory bounded by one page). `readPages` hands over a page at a time, with `json: true` as
 *   the records' JSON text sliced from the response where it can (no parse, no stringify). After iteration, `summary()` gives pages, records, requests,
 *   retries, bytes, the `stopReason` and any `EngineError`; `requestLog` holds the last 1000
 *   requests (pages and token refreshes) with every secret redacted.
 * - `previewSource(request)`: the first page, at most N records, and a JSON Schema (the spec's
 *   custom `schema`, else `inferSchema` of the records).
 * - `explainFirstRequest(request)`: the first request, rendered and redacted; sends nothing.
 * - `testAuthorization(request)`: GET `authorizationTestUrl` with auth; `{ok, status?, reason?}`.
 * - `EngineError` (`kind`: spec | params | auth | upstream | network | timeout | loop | extraction).
 * A `ReadRequest` carries the whole connection spec, auth params, source params, an optional
 * incremental window, limits, `http` overrides (timeouts, retries), `now`, and callbacks for
 * rotated OAuth credentials (persist them: the old refresh token may be dead) and events.
 */

export { type AuthSpecEntry, findAuthSpec } from "./auth/index.ts";
export {
  type AuthorizationRequest,
  type AuthorizationResult,
  testAuthorization,
} from "./auth/test-authorization.ts";
export type { AuthConfig, AuthType, RotatedCredentials } from "./auth/types.ts";
export { EngineError, type EngineErrorKind, engineErrorKinds } from "./errors.ts";
export { type EgressPolicy, egressPolicies } from "./http/egress.ts";
export { defaultHttpSettings, type HttpSettings } from "./http/settings.ts";
export { compilePath } from "./json-path.ts";
export { stopReasons } from "./pagination/index.ts";
export { sourceSettings } from "./plan.ts";
export {
  defaultPreviewLimit,
  inferSchema,
  integerBounds,
  type JsonSchema,
  type Preview,
  type PreviewRequest,
  previewSource,
} from "./preview.ts";
export {
  explainFirstRequest,
  type PageCheckpoint,
  type PageReadHandle,
  type PageReadRequest,
  type ReadEvent,
  type ReadHandle,
  type ReadRequest,
  type ReadSummary,
  type RecordPage,
  type RedactedRequest,
  type RequestLogEntry,
  readPages,
  readRecords,
  type StopReason,
} from "./read.ts";
export { formatDotNet } from "./time/dotnet-format.ts";
export type { ReadWindow } from "./windows.ts";
