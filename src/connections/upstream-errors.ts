/**
 * Engine errors as Flow Service errors. The engine redacts secrets from its messages already; the
 * text is scrubbed once more here with the connection's own secrets before it reaches a response.
 *
 * | engine kind / upstream status | Flow error |
 * |---|---|
 * | upstream or auth with a 4xx (not 429) | `upstreamRejected` FLOW-2200-400: credentials or params to fix |
 * | auth without a status (token refresh impossible, bad token answer) | `upstreamRejected` FLOW-2200-400 |
 * | upstream 429/5xx or without a status (body too large), network, loop, extraction (a 2xx that is not JSON / has no content) | `badGateway` FLOW-2200-502 |
 * | timeout | `gatewayTimeout` FLOW-1104-504 |
 * | params (an unresolved placeholder) | `validationFailed` FLOW-1400-400 |
 * | spec (the connection spec cannot drive a request) | `badRequest` FLOW-1400-400 |
 */
import { EngineError } from "../engine/index.ts";
import { FlowError } from "../errors.ts";
import { scrub } from "./secret-fields.ts";

export function upstreamError(error: EngineError, what: string, secrets: readonly string[]): FlowError {
  const clean = (text: string | undefined) => (text === undefined ? undefined : scrub(text, secrets));
  const message = clean(error.message) as string;
  const details: Record<string, unknown> = {
    engineErrorKind: error.kind,
    ...(error.status === undefined ? {} : { upstreamStatus: error.status }),
    ...(error.url === undefined ? {} : { upstreamUrl: clean(error.url) }),
    ...(error.bodyExcerpt === undefined ? {} : { upstreamBodyExcerpt: clean(error.bodyExcerpt) }),
  };
  const status = error.status === undefined ? "" : ` (upstream status ${error.status})`;
  switch (error.kind) {
    case "params":
      return new FlowError("validationFailed", `${what}: ${message}`, details);
    case "spec":
      return new FlowError("badRequest", `${what}: the connection spec cannot be used: ${message}`, details);
    case "timeout":
      return new FlowError("gatewayTimeout", `${what}: the source did not answer in time: ${message}`, details);
    case "auth":
    case "upstream":
      if (
        (error.status === undefined && error.kind === "auth") ||
        (error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 429)
      ) {
        return new FlowError(
          "upstreamRejected",
          `${what}: the source refused the request${status}: ${message}`,
          details,
        );
      }
      return new FlowError("badGateway", `${what}: the source failed${status}: ${message}`, details);
    default:
      return new FlowError("badGateway", `${what}: ${message}`, details);
  }
}

/** Wraps a non-engine failure (anything unexpected from the engine) without losing FlowErrors. */
export function asFlowError(cause: unknown, what: string, secrets: readonly string[]): FlowError | undefined {
  if (cause instanceof FlowError) return cause;
  if (cause instanceof EngineError) return upstreamError(cause, what, secrets);
  return undefined;
}
