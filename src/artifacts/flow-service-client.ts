/**
 * A minimal Flow Service HTTP client for `inlet artifacts register`: Adobe's headers (spec §2.1),
 * JSON in and out, and errors that quote the server's `report.detailed-message` (spec §2.2). The
 * token and api key never appear in a message.
 */

export const flowServicePath = "/data/foundation/flowservice";

export interface FlowServiceOptions {
  /** The server root (`http://host:port`) or the Flow Service base (`…/data/foundation/flowservice`). */
  readonly server: string;
  readonly token: string;
  readonly apiKey: string;
  readonly org: string;
  readonly sandbox?: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export interface FlowResponse {
  readonly status: number;
  readonly body: unknown;
}

/** `kind` tells the CLI which exit code fits: auth (401/403), http (other statuses), network. */
export class FlowServiceError extends Error {
  override readonly name = "FlowServiceError";
  constructor(
    message: string,
    readonly kind: "auth" | "http" | "network",
    readonly status?: number,
  ) {
    super(message);
  }
}

/** `http://h:1/` and `http://h:1/data/foundation/flowservice` both become the latter. */
export function flowServiceBase(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new TypeError(`--server must be an absolute http(s) URL, got "${server}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`--server must be an http(s) URL, got "${server}"`);
  }
  if (url.username || url.password) throw new TypeError("--server must not carry credentials; use --token");
  const trimmed = `${url.origin}${url.pathname}`.replace(/\/+$/, "");
  return trimmed.endsWith(flowServicePath) ? trimmed : `${trimmed}${flowServicePath}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The most useful sentence in an error body: Flow Service, gateway or RFC 7807 style. */
export function errorSummary(body: unknown): string {
  if (!isObject(body)) return typeof body === "string" && body.trim() !== "" ? body.trim().slice(0, 300) : "";
  const report = isObject(body.report) ? body.report : {};
  const detail = report["detailed-message"] ?? body.detail ?? body.message ?? body.errorMessage;
  const type = typeof body.type === "string" ? (/FLOW-\d+-\d+/.exec(body.type)?.[0] ?? "") : "";
  const code = typeof body.error_code === "string" ? body.error_code : type;
  const title = typeof body.title === "string" ? body.title : "";
  return [code, title, typeof detail === "string" ? detail : ""].filter((part) => part !== "").join(" ");
}

export class FlowServiceClient {
  readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: FlowServiceOptions) {
    this.base = flowServiceBase(options.server);
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private redact(text: string): string {
    let out = text;
    for (const secret of [this.options.token, this.options.apiKey]) {
      if (secret.length >= 4) out = out.split(secret).join("***");
    }
    return out;
  }

  async send(method: "GET" | "POST" | "PUT", path: string, body?: unknown, ifMatch?: string): Promise<FlowResponse> {
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: `Bearer ${this.options.token}`,
      "x-api-key": this.options.apiKey,
      "x-gw-ims-org-id": this.options.org,
    };
    if (this.options.sandbox !== undefined) headers["x-sandbox-name"] = this.options.sandbox;
    if (body !== undefined) headers["content-type"] = "application/json";
    if (ifMatch !== undefined) headers["if-match"] = ifMatch;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new FlowServiceError(this.redact(`${method} ${this.base}${path} failed: ${reason}`), "network");
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML page, say): keep the text for the message.
    }
    return { status: response.status, body: parsed };
  }

  /** An error for a response the caller did not expect, quoting the server's explanation. */
  failure(what: string, response: FlowResponse): FlowServiceError {
    const summary = errorSummary(response.body);
    const kind = response.status === 401 || response.status === 403 ? "auth" : "http";
    return new FlowServiceError(
      this.redact(`${what}: HTTP ${response.status}${summary === "" ? "" : ` ${summary}`}`),
      kind,
      response.status,
    );
  }
}
