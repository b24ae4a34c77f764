import type { FlowError } from "../errors.ts";

/**
 * The one place where errors become Adobe's wire shapes (spec §2.2). Flow Service errors use the
 * `FLOW-<code>-<status>` envelope; the gateway's header checks use `{error_code, message}`.
 */
export interface FlowErrorBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly report: Record<string, unknown>;
  readonly errorMessage: string;
  readonly errorDetails: string;
}

export function flowErrorBody(error: FlowError, requestId: string): FlowErrorBody {
  return {
    type: `https://ns.adobe.com/aep/errors/FLOW-${error.code}-${error.status}`,
    title: error.title,
    status: error.status,
    report: { "detailed-message": error.message, ...error.details, "request-id": requestId },
    errorMessage: error.message,
    errorDetails: error.message,
  };
}

/** Gateway (Adobe I/O) errors answered before a request reaches the Flow Service. */
export const gatewayErrors = {
  tokenMissing: { status: 403, body: { error_code: "403010", message: "Oauth token is missing." } },
  tokenInvalid: { status: 401, body: { error_code: "401013", message: "Oauth token is not valid" } },
  apiKeyMissing: { status: 403, body: { error_code: "403000", message: "Api Key is required" } },
  apiKeyInvalid: { status: 403, body: { error_code: "403003", message: "Api Key is invalid" } },
  orgMissing: { status: 400, body: { error_code: "400003", message: "Missing header: x-gw-ims-org-id" } },
} as const;
export type GatewayErrorKind = keyof typeof gatewayErrors;

export class GatewayError extends Error {
  override readonly name = "GatewayError";
  constructor(readonly kind: GatewayErrorKind) {
    super(gatewayErrors[kind].body.message);
  }
}

/** The RFC 7807-like body Adobe answers for a body without a JSON content type (spec §2.1). */
export const contentTypeErrorBody = {
  type: "/placeholder/type/uri",
  status: 400,
  title: "BadRequestError",
  detail: "A valid content-type must be specified",
} as const;

export class ContentTypeError extends Error {
  override readonly name = "ContentTypeError";
}
