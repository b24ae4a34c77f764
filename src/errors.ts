/**
 * Named errors with stable codes. Every layer throws these; the API maps them to Adobe's Flow
 * Service envelope in one place (src/api/error-envelope.ts). Codes follow Adobe's catalog
 * (spec §2.2) where it has one; the few it lacks (malformed body, payload too large, schema
 * validation) are marked "ours".
 */
export const errorCatalog = {
  badRequest: { code: 1400, status: 400, title: "Bad request" }, // ours: malformed JSON, bad field
  validationFailed: { code: 1400, status: 400, title: "Validation failed" }, // ours
  notEntitled: { code: 1100, status: 400, title: "Not entitled" },
  notFound: { code: 1101, status: 404, title: "Resource not found" },
  internal: { code: 1102, status: 500, title: "Internal error" },
  unavailable: { code: 1103, status: 503, title: "Service unavailable" },
  limitWithCount: { code: 1401, status: 400, title: "Bad request" },
  ifMatchMissing: { code: 1403, status: 400, title: "If-Match header missing" },
  versionMismatch: { code: 1404, status: 412, title: "Version not matching" },
  emptyBody: { code: 1405, status: 400, title: "Empty request body" },
  payloadTooLarge: { code: 1406, status: 413, title: "Payload too large" }, // ours
  stateNotAllowed: { code: 1410, status: 400, title: "State not allowed" },
  invalidMappingVersion: { code: 1412, status: 400, title: "Invalid mapping version" },
  invalidSpecId: { code: 1413, status: 400, title: "Invalid spec id" },
  connectionSpecImmutable: { code: 1414, status: 400, title: "Connection spec cannot be updated" },
  authSpecNotFound: { code: 1415, status: 400, title: "Auth spec not found" },
  invalidState: { code: 1416, status: 400, title: "Invalid state" },
  inUse: { code: 1418, status: 400, title: "Resource in use" },
  mappingInvalid: { code: 1419, status: 400, title: "Mapping validation failed" },
  actionNotApplicable: { code: 1422, status: 400, title: "Action not applicable" },
  mappingSchemaMismatch: { code: 1425, status: 400, title: "Mapping schema mismatch" },
  specAuthorForbidden: { code: 1426, status: 400, title: "Unauthorized" },
  runForbidden: { code: 1427, status: 400, title: "Unauthorized" },
  badSortField: { code: 1432, status: 400, title: "Invalid sort" },
  badSortSyntax: { code: 1433, status: 400, title: "Invalid sort" },
  unsupportedPatchOp: { code: 1434, status: 400, title: "Unsupported patch operation" },
  operatorNotImplemented: { code: 1440, status: 400, title: "Operator not implemented" },
  multiValueOperator: { code: 1443, status: 400, title: "Invalid filter" },
  badOperator: { code: 1448, status: 400, title: "Invalid filter operator" },
  badQueryParam: { code: 1451, status: 400, title: "Invalid query parameter" },
  badFilterValue: { code: 1452, status: 400, title: "Invalid filter value" },
  patchValidation: { code: 1455, status: 400, title: "Patch validation failed" },
  orgForbidden: { code: 2000, status: 401, title: "Unauthorized" },
  orgMissing: { code: 2001, status: 401, title: "Unauthorized" },
  sandboxNotFound: { code: 2100, status: 404, title: "Sandbox not found" },
  insufficientPermissions: { code: 2120, status: 403, title: "Forbidden" },
  upstreamFailed: { code: 2200, status: 500, title: "Upstream call failed" },
  authorizationTestFailed: { code: 1400, status: 400, title: "Authorization test failed" }, // ours: authorizationTestUrl not 2xx
  upstreamRejected: { code: 2200, status: 400, title: "Upstream request rejected" }, // ours: the source API answered 4xx
  badGateway: { code: 2200, status: 502, title: "Upstream call failed" }, // ours: source API 5xx/429, network, unusable body
  gatewayTimeout: { code: 1104, status: 504, title: "Gateway timeout" },
  flowNotFound: { code: 1430, status: 400, title: "Flow not found" },
  onDemandRunNotAllowed: { code: 1428, status: 400, title: "On-demand run not allowed" }, // ours: POST /runs for a flow not scheduled "once"
} as const;

export type ErrorKind = keyof typeof errorCatalog;

/** A domain error the API renders as `FLOW-<code>-<status>`. `details` lands in `report`. */
export class FlowError extends Error {
  override readonly name = "FlowError";
  readonly code: number;
  readonly status: number;
  readonly title: string;

  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    const entry = errorCatalog[kind];
    this.code = entry.code;
    this.status = entry.status;
    this.title = entry.title;
  }
}

/** One problem found in a document, located by a JSON Pointer (RFC 6901). */
export interface Problem {
  readonly pointer: string;
  readonly message: string;
  readonly severity: "error" | "warning";
}

/** Wraps anything thrown into an Error, so callers never handle `unknown`. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === "string" ? value : "Non-error thrown", { cause: value });
}
