/**
 * A small typed HTTP client for an Adobe-compatible Flow Service (Inlet or Adobe's), used by
 * `inlet verify`. It speaks the wire contract only (spec §2): the four Adobe headers, the list
 * envelope, the error envelopes. It knows nothing of Inlet's internals. Connection-spec
 * registration is shared with `inlet artifacts register` through `registrationClient()`.
 */
import { FlowServiceClient as ArtifactsClient } from "../artifacts/index.ts";

export const apiPrefixes = {
  flowService: "/data/foundation/flowservice",
  catalog: "/data/foundation/catalog",
  conversion: "/data/foundation/conversion",
} as const;

export interface ClientOptions {
  /** The server root, e.g. `http://127.0.0.1:8080` (a trailing Flow Service prefix is accepted). */
  readonly server: string;
  readonly accessToken: string;
  readonly apiKey: string;
  readonly orgId: string;
  readonly sandbox?: string | undefined;
  /** Per-request timeout; explore and flow creation may call the upstream API. Default 120 s. */
  readonly requestTimeoutMs?: number;
}

export type JsonObject = Record<string, unknown>;

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** Error codes (Flow Service catalog, spec §2.2) that mean "these credentials may not do this". */
const credentialCodes = new Set(["1426", "1427", "2000", "2001", "2002", "2110", "2111", "2118", "2120", "2121"]);

/** A non-2xx answer, with the message and code taken from whichever error envelope the server used. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly detail: string,
    readonly body: unknown,
  ) {
    super(`${method} ${path} answered ${status}${code ? ` (${code})` : ""}: ${detail}`);
  }

  /** True when the server refused the caller (token, api key, org, permissions), not the request. */
  get credentialsRefused(): boolean {
    const body = this.body as JsonObject | undefined;
    if (body && typeof body === "object" && typeof body.error_code === "string") return true; // gateway
    if (this.code !== undefined && credentialCodes.has(this.code)) return true;
    return (this.status === 401 || this.status === 403) && this.code === undefined;
  }
}

/** The network failed or the server did not answer in time. */
export class TransportError extends Error {
  override readonly name = "TransportError";
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describeError(status: number, body: unknown, text: string): { code: string | undefined; detail: string } {
  if (isObject(body)) {
    // Flow Service: {type: ".../FLOW-1415-400", report: {"detailed-message"}, errorMessage}
    const type = typeof body.type === "string" ? body.type : "";
    const flowCode = /FLOW-(\d+)-\d+/.exec(type)?.[1];
    const report = isObject(body.report) ? body.report : {};
    const detailed = report["detailed-message"];
    if (typeof detailed === "string") return { code: flowCode, detail: detailed };
    if (typeof body.errorMessage === "string") return { code: flowCode, detail: body.errorMessage };
    // Gateway: {error_code, message}
    if (typeof body.error_code === "string")
      return { code: body.error_code, detail: typeof body.message === "string" ? body.message : text };
    if (typeof body.detail === "string") return { code: flowCode, detail: body.detail };
    if (typeof body.message === "string") return { code: flowCode, detail: body.message };
    if (typeof body.title === "string") return { code: flowCode, detail: body.title };
  }
  const excerpt = text.trim().slice(0, 300);
  return { code: undefined, detail: excerpt === "" ? `HTTP ${status}` : excerpt };
}

/** Adobe's servers are not consistent about wrapping one item; accept `{items:[x]}`, `{id: x}` or `x`. */
export function firstItem(body: unknown): JsonObject | undefined {
  if (Array.isArray(body)) return isObject(body[0]) ? body[0] : undefined;
  if (!isObject(body)) return undefined;
  if (Array.isArray(body.items)) return isObject(body.items[0]) ? body.items[0] : undefined;
  return body;
}

export function listItems(body: unknown): JsonObject[] {
  if (isObject(body) && Array.isArray(body.items)) return body.items.filter(isObject);
  if (Array.isArray(body)) return body.filter(isObject);
  return [];
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
}

export class PlatformClient {
  readonly server: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly credentials: ClientOptions;

  constructor(options: ClientOptions) {
    this.credentials = options;
    let server = options.server.trim().replace(/\/+$/, "");
    if (server.endsWith(apiPrefixes.flowService)) server = server.slice(0, -apiPrefixes.flowService.length);
    try {
      new URL(server);
    } catch {
      throw new TypeError(`the server URL "${options.server}" is not an absolute URL`);
    }
    this.server = server;
    this.timeoutMs = options.requestTimeoutMs ?? 120_000;
    this.headers = {
      authorization: `Bearer ${options.accessToken}`,
      "x-api-key": options.apiKey,
      "x-gw-ims-org-id": options.orgId,
      ...(options.sandbox ? { "x-sandbox-name": options.sandbox } : {}),
      accept: "application/json",
    };
  }

  /** Sends one request; resolves for 2xx, rejects with ApiError otherwise. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(`${this.server}${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { ...this.headers, ...options.headers };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause;
      const reason =
        (error as Error).name === "TimeoutError"
          ? `no answer in ${this.timeoutMs} ms`
          : (cause?.message ?? (error as Error).message);
      throw new TransportError(`${method} ${url.pathname} failed: ${reason}`);
    }
    const text = await response.text();
    let body: unknown;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (!response.ok) {
      const { code, detail } = describeError(response.status, body, text);
      throw new ApiError(method, url.pathname, response.status, code, detail, body);
    }
    return { status: response.status, headers: response.headers, body: body as T };
  }

  /** GET that resolves to undefined on 404 instead of rejecting. */
  async getOptional(path: string): Promise<JsonObject | undefined> {
    try {
      return firstItem((await this.request("GET", path)).body);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  // Flow Service -------------------------------------------------------------------------------

  fs(path: string): string {
    return `${apiPrefixes.flowService}${path}`;
  }

  /** POST /connectionSpecs for a spec without a fixed id; answers the created spec. */
  async createConnectionSpec(spec: JsonObject): Promise<JsonObject> {
    return firstItem((await this.request("POST", this.fs("/connectionSpecs"), { body: spec })).body) ?? {};
  }

  /** The artifacts client (same credentials) whose registration code verify shares. */
  registrationClient(): ArtifactsClient {
    return new ArtifactsClient({
      server: this.server,
      token: this.credentials.accessToken,
      apiKey: this.credentials.apiKey,
      org: this.credentials.orgId,
      ...(this.credentials.sandbox ? { sandbox: this.credentials.sandbox } : {}),
    });
  }

  /** POST to a Flow Service collection; answers `{id, etag}`. */
  async create(collection: "connections" | "sourceConnections" | "targetConnections" | "flows", body: JsonObject) {
    const response = await this.request("POST", this.fs(`/${collection}`), { body });
    return createdId(response, `POST /${collection}`);
  }

  async remove(
    collection: "connections" | "sourceConnections" | "targetConnections" | "flows",
    id: string,
  ): Promise<void> {
    await this.request("DELETE", this.fs(`/${collection}/${encodeURIComponent(id)}`));
  }

  async list(collection: string, query: Readonly<Record<string, string>> = {}): Promise<JsonObject[]> {
    return listItems((await this.request("GET", this.fs(`/${collection}`), { query })).body);
  }

  async explore(connectionId: string, sourceParams: JsonObject): Promise<JsonObject> {
    const response = await this.request("GET", this.fs(`/connections/${encodeURIComponent(connectionId)}/explore`), {
      query: {
        objectType: "rest",
        object: "json",
        fileType: "json",
        preview: "true",
        sourceParams: Buffer.from(JSON.stringify(sourceParams)).toString("base64"),
      },
    });
    return isObject(response.body) ? response.body : { data: response.body };
  }

  listRuns(flowId: string): Promise<JsonObject[]> {
    return this.list("runs", { property: `flowId==${flowId}` });
  }

  // Catalog and Data Prep ----------------------------------------------------------------------

  /** Catalog answers `["@/dataSets/<id>"]`. */
  async createDataset(body: JsonObject): Promise<string> {
    const response = await this.request("POST", `${apiPrefixes.catalog}/dataSets`, { body });
    const ref = Array.isArray(response.body) ? response.body[0] : undefined;
    const id = typeof ref === "string" ? /@\/dataSets\/([^/?#]+)/.exec(ref)?.[1] : undefined;
    if (id === undefined)
      throw new TypeError(`POST /dataSets answered ${JSON.stringify(response.body)}, not ["@/dataSets/<id>"]`);
    return id;
  }

  /** Catalog answers `{"<id>": {...}}`; the list envelope and a bare object are accepted too. */
  async getDataset(id: string): Promise<JsonObject | undefined> {
    try {
      const { body } = await this.request("GET", `${apiPrefixes.catalog}/dataSets/${encodeURIComponent(id)}`);
      if (isObject(body) && isObject(body[id])) return body[id];
      return firstItem(body);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async deleteDataset(id: string): Promise<void> {
    await this.request("DELETE", `${apiPrefixes.catalog}/dataSets/${encodeURIComponent(id)}`);
  }

  async createMappingSet(body: JsonObject): Promise<{ id: string; version: number }> {
    const response = await this.request("POST", `${apiPrefixes.conversion}/mappingSets`, { body });
    const item = firstItem(response.body);
    if (!item || typeof item.id !== "string") throw new TypeError("POST /mappingSets answered no id");
    const version = Number(item.version ?? 0);
    return { id: item.id, version: Number.isFinite(version) ? version : 0 };
  }

  async deleteMappingSet(id: string): Promise<void> {
    await this.request("DELETE", `${apiPrefixes.conversion}/mappingSets/${encodeURIComponent(id)}`);
  }
}

function createdId(response: ApiResponse, what: string): { id: string; etag: string | undefined } {
  const item = firstItem(response.body);
  let id = typeof item?.id === "string" ? item.id : undefined;
  if (id === undefined) id = response.headers.get("location")?.split("/").pop() ?? undefined;
  if (id === undefined || id === "") throw new TypeError(`${what} answered no id`);
  return { id, etag: typeof item?.etag === "string" ? item.etag : undefined };
}
