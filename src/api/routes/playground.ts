/**
 * The spec playground (an Inlet extension, not Adobe's API; mounted under /inlet): lint a connection
 * spec that is not saved, run a bounded test read of its first pages with given credentials and
 * params, and test credentials before a base connection is created.
 *
 * - `POST /inlet/playground/lint`  `{text}` (JSON text, positions of a syntax error reported) or `{spec}`
 * - `POST /inlet/playground/read`  `{spec | text | connectionSpecId, authSpecName?, auth?, params?, maxPages?, maxRecords?}`
 * - `POST /inlet/playground/test`  `{spec | connectionSpecId, authSpecName?, auth?, params?}`
 *
 * These fetch whatever URL a spec (or an auth param such as `host`) names, from the server's
 * network position: a read is bounded (≤ 5 pages, ≤ 100 records, short timeouts, one retry, 30 s
 * in all, 4 at a time per process), only http(s) URLs are sent, and every string that leaves is
 * redacted of the given secrets. See docs/console.md for the SSRF consideration.
 */
import type { FastifyInstance } from "fastify";
import { loadConnectionSpec } from "../../connections/specs.ts";
import {
  type EgressPolicy,
  EngineError,
  explainFirstRequest,
  findAuthSpec,
  type HttpSettings,
  inferSchema,
  type ReadRequest,
  type RequestLogEntry,
  readRecords,
  testAuthorization,
} from "../../engine/index.ts";
import { Redactor } from "../../engine/redact.ts";
import { FlowError } from "../../errors.ts";
import { canonicalConnectionSpec, lintConnectionSpec, parseJsonText } from "../../specs/index.ts";
import { errorResponseSchema } from "../schemas.ts";
import type { RouteDependencies } from "./index.ts";

type Json = Record<string, unknown>;

export const playgroundLimits = {
  maxPages: 5,
  maxRecords: 100,
  /** The JSON of one page's records in a response, at most. */
  excerptBytes: 64 * 1024,
  /** A whole read or test, at most. */
  totalMs: 30_000,
  /** Reads and tests running at once in this process. */
  concurrent: 4,
} as const;

/** Short waits and one retry: a person is waiting, and this endpoint must not be a slow-loris tool. */
export const playgroundHttp: Partial<HttpSettings> = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  maxRetries: 1,
  backoffBaseMs: 250,
  backoffMaxMs: 1_000,
  maxTotalWaitMs: 2_000,
  retryAfterCapMs: 1_000,
  maxBodyBytes: 16 * 1024 * 1024,
  userAgent: "inlet-playground",
};

const tags = ["Inlet playground"];
const errors = { 400: errorResponseSchema, 404: errorResponseSchema, 503: errorResponseSchema };
const anything = { type: "object", additionalProperties: true } as const;
/** Bodies are checked here (with messages that name the field), the schemas document them. */
const documentOnly = () => (data: unknown) => ({ value: data });
/** The names the engine treats as secret whatever the schema says (src/engine/auth). */
const alwaysSecret = /^(password|clientSecret|accessToken|refreshToken|authKey\d+|apiKey|token|secret)$/i;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

function bodyOf(body: unknown): Json {
  if (body === undefined || body === null) throw new FlowError("emptyBody", "The request body is empty.");
  if (!isObject(body)) throw new FlowError("badRequest", "The request body must be a JSON object.");
  return body;
}

function optionalObject(body: Json, key: string): Json {
  const value = body[key];
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new FlowError("badRequest", `"${key}" must be a JSON object.`, { field: key });
  return value;
}

function boundedInt(body: Json, key: string, max: number, fallback: number): number {
  const value = body[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw new FlowError("badRequest", `"${key}" must be an integer from 1 to ${max}.`, { field: key });
  }
  return value;
}

/** The spec of a request: inline (`spec` object or JSON `text`), or a stored one by `connectionSpecId`. */
async function specOf(body: Json, deps: RouteDependencies): Promise<Json> {
  if (typeof body.connectionSpecId === "string" && body.connectionSpecId !== "") {
    return (await loadConnectionSpec(deps.store, body.connectionSpecId)).doc;
  }
  if (typeof body.text === "string") {
    const parsed = parseJsonText(body.text);
    if (!parsed.ok) {
      throw new FlowError(
        "badRequest",
        `The spec is not valid JSON at line ${parsed.line}, column ${parsed.column}: ${parsed.message}`,
        { line: parsed.line, column: parsed.column, position: parsed.position },
      );
    }
    if (!isObject(parsed.value)) throw new FlowError("badRequest", "The spec must be a JSON object.");
    return canonicalConnectionSpec(parsed.value);
  }
  if (isObject(body.spec)) return canonicalConnectionSpec(body.spec);
  throw new FlowError("badRequest", 'Send the connection spec as "spec" (an object), "text" or "connectionSpecId".', {
    field: "spec",
  });
}

/** Property schemas of a JSON Schema object, when it has any. */
function propertiesOf(schema: unknown): Json {
  return isObject(schema) && isObject(schema.properties) ? schema.properties : {};
}

/** Every secret string of params: `format: password` properties at any depth, and the well-known names. */
export function secretValues(params: unknown, schema: unknown): string[] {
  const out: string[] = [];
  if (!isObject(params)) return out;
  const properties = propertiesOf(schema);
  for (const [name, value] of Object.entries(params)) {
    const declared = properties[name];
    const secret = alwaysSecret.test(name) || (isObject(declared) && declared.format === "password");
    if (secret && typeof value === "string") out.push(value);
    else if (isObject(value)) out.push(...secretValues(value, declared));
  }
  return out;
}

function sourceSpecSchema(spec: Json): unknown {
  const sourceSpec = isObject(spec.sourceSpec) ? spec.sourceSpec : {};
  return sourceSpec.spec;
}

function authSchemaOf(spec: Json, authSpecName: string | undefined): unknown {
  if (authSpecName === undefined) {
    const first = Array.isArray(spec.authSpec) ? spec.authSpec[0] : undefined;
    return isObject(first) ? first.spec : undefined;
  }
  return findAuthSpec(spec, authSpecName)?.spec;
}

function redactorFor(spec: Json, authSpecName: string | undefined, auth: Json, params: Json): Redactor {
  const redactor = new Redactor();
  for (const value of secretValues(auth, authSchemaOf(spec, authSpecName))) redactor.add(value);
  for (const value of secretValues(params, sourceSpecSchema(spec))) redactor.add(value);
  return redactor;
}

/** Only http(s) leaves this endpoint; anything else is refused before a request is sent. */
function assertWebUrl(url: string, what: string, redactor: Redactor): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return; // not absolute: the engine reports it as a spec problem
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw new FlowError(
      "badRequest",
      `${what} ${redactor.text(url)} is not an http or https URL; the playground sends nothing else.`,
    );
  }
}

function assertAuthUrls(auth: Json, redactor: Redactor): void {
  for (const key of ["authorizationTestUrl", "accessTokenUrl", "host"]) {
    const value = auth[key];
    if (typeof value === "string" && /^[a-z][a-z0-9+.-]*:/i.test(value.trim()))
      assertWebUrl(value.trim(), key, redactor);
  }
}

let running = 0;

/** At most `playgroundLimits.concurrent` live reads or tests at once; a 503 past that. */
async function limited<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (running >= playgroundLimits.concurrent) {
    throw new FlowError(
      "unavailable",
      `${playgroundLimits.concurrent} playground reads are running already; try again in a moment.`,
    );
  }
  running += 1;
  try {
    return await work(AbortSignal.timeout(playgroundLimits.totalMs));
  } finally {
    running -= 1;
  }
}

export interface PlaygroundError {
  readonly kind: string;
  readonly message: string;
  readonly status?: number;
  readonly url?: string;
  readonly bodyExcerpt?: string;
}

function errorOf(cause: unknown, redactor: Redactor): PlaygroundError {
  if (cause instanceof EngineError) {
    return {
      kind: cause.kind,
      message: redactor.text(cause.message),
      ...(cause.status === undefined ? {} : { status: cause.status }),
      ...(cause.url === undefined ? {} : { url: redactor.text(cause.url) }),
      ...(cause.bodyExcerpt === undefined ? {} : { bodyExcerpt: redactor.text(cause.bodyExcerpt) }),
    };
  }
  if (cause instanceof FlowError) return { kind: "request", message: redactor.text(cause.message) };
  const message = cause instanceof Error ? cause.message : String(cause);
  return { kind: "network", message: redactor.text(`The read stopped: ${message}`) };
}

/** JSON of a value, cut to `limit` bytes of UTF-8 (never inside a character). */
export function excerpt(
  value: unknown,
  limit: number = playgroundLimits.excerptBytes,
): { text: string; truncated: boolean } {
  const text = JSON.stringify(value, null, 2) ?? "null";
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= limit) return { text, truncated: false };
  const cut = bytes
    .subarray(0, limit)
    .toString("utf8")
    .replace(/\uFFFD+$/, "");
  return { text: `${cut}\n…`, truncated: true };
}

interface PageOut {
  readonly page: number;
  readonly records: number;
  readonly bytes: number;
  readonly excerpt: string;
  readonly truncated: boolean;
}

export interface PlaygroundReadResult {
  readonly firstRequest?: unknown;
  readonly requests: ReadonlyArray<RequestLogEntry & { readonly page?: number }>;
  readonly pages: readonly PageOut[];
  readonly records: readonly Json[];
  readonly schema?: object;
  readonly summary: {
    readonly pages: number;
    readonly records: number;
    readonly requests: number;
    readonly retries: number;
    readonly bytes: number;
    readonly durationMs: number;
    readonly stopReason: string;
    /** Set when the playground's own limits ended the read, not the spec's stop condition. */
    readonly limitedBy?: "maxPages" | "maxRecords";
  };
  readonly limits: { readonly maxPages: number; readonly maxRecords: number };
  readonly error?: PlaygroundError;
}

/** A bounded read of the first pages; never throws for what the source or the spec does wrong. */
export async function playgroundRead(
  input: {
    readonly spec: Json;
    readonly authSpecName?: string | undefined;
    readonly auth: Json;
    readonly params: Json;
    readonly maxPages: number;
    readonly maxRecords: number;
    readonly egress: EgressPolicy;
  },
  signal: AbortSignal,
): Promise<PlaygroundReadResult> {
  const { spec, authSpecName, auth, params, maxPages, maxRecords, egress } = input;
  const redactor = redactorFor(spec, authSpecName, auth, params);
  assertAuthUrls(auth, redactor);
  const request: ReadRequest = {
    spec,
    ...(authSpecName === undefined ? {} : { authSpecName }),
    auth,
    params,
    maxPages,
    maxRecords,
    signal,
    http: { ...playgroundHttp, egress },
    // Rotated tokens are not stored anywhere: the playground has no connection to store them on.
    onCredentialsRotated: () => undefined,
  };
  const limits = { maxPages, maxRecords };
  const started = performance.now();
  let firstRequest: unknown;
  try {
    const first = explainFirstRequest(request);
    assertWebUrl(first.url, "The first request's URL", redactor);
    firstRequest = { ...first, url: redactor.text(first.url) };
  } catch (cause) {
    if (cause instanceof FlowError) throw cause;
    return {
      requests: [],
      pages: [],
      records: [],
      summary: {
        pages: 0,
        records: 0,
        requests: 0,
        retries: 0,
        bytes: 0,
        durationMs: Math.round(performance.now() - started),
        stopReason: "error",
      },
      limits,
      error: errorOf(cause, redactor),
    };
  }

  const pageRecords: Json[][] = [];
  const pageBytes: number[] = [];
  const handle = readRecords({
    ...request,
    onEvent: (event) => {
      if (event.type === "page") {
        pageRecords.push([]);
        pageBytes.push(event.bytes);
      }
    },
  });
  const records: Json[] = [];
  let error: PlaygroundError | undefined;
  try {
    for await (const record of handle) {
      records.push(record);
      pageRecords[pageRecords.length - 1]?.push(record);
    }
  } catch (cause) {
    error = errorOf(cause, redactor);
  }
  let summary: ReturnType<typeof handle.summary>;
  try {
    summary = handle.summary();
  } catch {
    summary = {
      pages: pageRecords.length,
      records: records.length,
      requests: 0,
      retries: 0,
      bytes: 0,
      stopReason: "error",
      durationMs: 0,
    };
  }
  let page = 0;
  const requests = handle.requestLog.map((entry) => {
    const ok = entry.kind === "page" && entry.error === undefined && entry.status !== undefined && entry.status < 300;
    if (!ok || page >= pageRecords.length) return entry;
    page += 1;
    return { ...entry, page };
  });
  const pages = pageRecords.map((items, index) => {
    const cut = excerpt(items);
    return {
      page: index + 1,
      records: items.length,
      bytes: pageBytes[index] ?? 0,
      excerpt: redactor.text(cut.text),
      truncated: cut.truncated,
    };
  });
  const limitedBy =
    error === undefined && summary.stopReason === "record-limit" && records.length >= maxRecords
      ? ("maxRecords" as const)
      : error === undefined && summary.stopReason === "maximum-request" && summary.pages >= maxPages
        ? ("maxPages" as const)
        : undefined;
  return {
    firstRequest,
    requests,
    pages,
    records,
    ...(records.length > 0 ? { schema: inferSchema(records) } : {}),
    summary: {
      pages: summary.pages,
      records: summary.records,
      requests: summary.requests,
      retries: summary.retries,
      bytes: summary.bytes,
      durationMs: summary.durationMs,
      stopReason: summary.stopReason,
      ...(limitedBy === undefined ? {} : { limitedBy }),
    },
    limits,
    ...(error === undefined ? {} : { error }),
  };
}

export interface PlaygroundTestResult {
  /** true: the source accepted the credentials; false: it refused; null: cannot tell without more input. */
  readonly result: boolean | null;
  readonly method: "authorizationTestUrl" | "firstPage";
  readonly reason?: string;
  readonly status?: number;
}

/**
 * The connectivity test of a base connection (GET /connections/{id}/test) on credentials that are
 * not saved yet: the `authorizationTestUrl` when there is one, else a one-record read of the first
 * page with the given params. A first request that needs params nobody gave answers `null`.
 */
export async function playgroundTest(
  input: {
    readonly spec: Json;
    readonly authSpecName?: string | undefined;
    readonly auth: Json;
    readonly params: Json;
    readonly egress: EgressPolicy;
  },
  signal: AbortSignal,
): Promise<PlaygroundTestResult> {
  const { spec, authSpecName, auth, params, egress } = input;
  const redactor = redactorFor(spec, authSpecName, auth, params);
  assertAuthUrls(auth, redactor);
  const schema = authSchemaOf(spec, authSpecName);
  const declared = propertiesOf(schema).authorizationTestUrl;
  const given = typeof auth.authorizationTestUrl === "string" ? auth.authorizationTestUrl.trim() : "";
  const fallback = isObject(declared) && typeof declared.default === "string" ? declared.default.trim() : "";
  const testUrl = given || fallback;
  const http = { ...playgroundHttp, egress };
  const base = { spec, ...(authSpecName === undefined ? {} : { authSpecName }), signal, http };
  if (testUrl !== "") {
    try {
      const outcome = await testAuthorization({
        ...base,
        auth: { ...auth, authorizationTestUrl: testUrl },
        params,
        onCredentialsRotated: () => undefined,
      });
      return {
        result: outcome.ok,
        method: "authorizationTestUrl",
        ...(outcome.reason === undefined || outcome.ok ? {} : { reason: redactor.text(outcome.reason) }),
        ...(outcome.status === undefined ? {} : { status: outcome.status }),
      };
    } catch (cause) {
      const failure = errorOf(cause, redactor);
      return { result: false, method: "authorizationTestUrl", reason: failure.message };
    }
  }
  const read = await playgroundRead({ spec, authSpecName, auth, params, maxPages: 1, maxRecords: 1, egress }, signal);
  if (!read.error) return { result: true, method: "firstPage" };
  const { kind, message, status } = read.error;
  if (kind === "spec" || kind === "params") {
    return {
      result: null,
      method: "firstPage",
      reason: `The source has no authorizationTestUrl and its first request cannot be built yet: ${message}`,
    };
  }
  // The source answered 2xx: whatever it answered is the preview's business, the credentials work.
  if (kind === "extraction" || kind === "loop") return { result: true, method: "firstPage" };
  return { result: false, method: "firstPage", reason: message, ...(status === undefined ? {} : { status }) };
}

function readInput(body: Json) {
  const authSpecName = body.authSpecName;
  if (authSpecName !== undefined && typeof authSpecName !== "string") {
    throw new FlowError("badRequest", '"authSpecName" must be a string.', { field: "authSpecName" });
  }
  return {
    authSpecName: authSpecName === "" ? undefined : authSpecName,
    auth: optionalObject(body, "auth"),
    params: optionalObject(body, "params"),
  };
}

export function registerPlaygroundRoutes(app: FastifyInstance, deps: RouteDependencies): void {
  app.post<{ Body: unknown }>(
    "/playground/lint",
    {
      schema: {
        tags,
        summary: "Lint a connection spec that is not saved: {text} (JSON text) or {spec}",
        body: { ...anything, description: "{text: string} or {spec: object}" },
        response: { 200: anything, ...errors },
      },
      validatorCompiler: documentOnly,
    },
    async (request) => {
      const body = bodyOf(request.body);
      if (typeof body.text === "string") {
        const parsed = parseJsonText(body.text);
        if (!parsed.ok) {
          const { position, line, column, message } = parsed;
          return {
            valid: false,
            problems: [{ pointer: "", message: `Not valid JSON: ${message}`, severity: "error" }],
            syntaxError: { position, line, column, message },
          };
        }
        return lintConnectionSpec(parsed.value);
      }
      if (!Object.hasOwn(body, "spec")) {
        throw new FlowError("badRequest", 'Send the connection spec as "text" (JSON text) or "spec".', {
          field: "spec",
        });
      }
      return lintConnectionSpec(body.spec);
    },
  );

  app.post<{ Body: unknown }>(
    "/playground/read",
    {
      schema: {
        tags,
        summary: `Test read of a spec's first pages (≤ ${playgroundLimits.maxPages} pages, ≤ ${playgroundLimits.maxRecords} records): requests, responses and the stop reason, secrets redacted`,
        body: {
          ...anything,
          description:
            "spec | text | connectionSpecId, authSpecName?, auth?, params?, maxPages? (1-5, default 2), maxRecords? (1-100, default 20)",
        },
        response: { 200: anything, ...errors },
      },
      validatorCompiler: documentOnly,
    },
    async (request) => {
      const body = bodyOf(request.body);
      const spec = await specOf(body, deps);
      const input = {
        spec,
        ...readInput(body),
        maxPages: boundedInt(body, "maxPages", playgroundLimits.maxPages, 2),
        maxRecords: boundedInt(body, "maxRecords", playgroundLimits.maxRecords, 20),
        egress: deps.config.egress,
      };
      return limited((signal) => playgroundRead(input, signal));
    },
  );

  app.post<{ Body: unknown }>(
    "/playground/test",
    {
      schema: {
        tags,
        summary: "Test credentials before saving a base connection (authorizationTestUrl, else a one-record read)",
        body: { ...anything, description: "spec | connectionSpecId, authSpecName?, auth, params?" },
        response: { 200: anything, ...errors },
      },
      validatorCompiler: documentOnly,
    },
    async (request) => {
      const body = bodyOf(request.body);
      const spec = await specOf(body, deps);
      const input = { spec, ...readInput(body), egress: deps.config.egress };
      return limited((signal) => playgroundTest(input, signal));
    },
  );
}
