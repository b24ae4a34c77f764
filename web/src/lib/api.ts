/**
 * The console's API client: Adobe's headers on every request (spec §2.1), JSON in and out, errors
 * of both shapes (gateway `{error_code, message}` and the Flow Service envelope, spec §2.2) as one
 * ApiError with the server's problems, and list envelopes followed across `_links.next`.
 */
import type { Credentials } from "./session.ts";

export const paths = {
  flowService: "/data/foundation/flowservice",
  catalog: "/data/foundation/catalog",
  conversion: "/data/foundation/conversion",
  inlet: "/inlet",
} as const;

export interface Problem {
  readonly pointer: string;
  readonly message: string;
  readonly severity?: string;
}

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | undefined,
    readonly problems: readonly Problem[],
    readonly body: unknown,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** The message, code and problems of an error answer, whatever its shape. */
export function errorOf(status: number, body: unknown): ApiError {
  if (isObject(body)) {
    if (typeof body.error_code === "string") {
      return new ApiError(status, String(body.message ?? `Error ${body.error_code}`), body.error_code, [], body);
    }
    const report = isObject(body.report) ? body.report : {};
    const problems = Array.isArray(report.problems)
      ? report.problems.filter(isObject).map((p) => ({
          pointer: String(p.pointer ?? ""),
          message: String(p.message ?? ""),
          severity: typeof p.severity === "string" ? p.severity : undefined,
        }))
      : [];
    const message = report["detailed-message"] ?? body.detail ?? body.errorMessage ?? body.title ?? body.message;
    const code = typeof body.type === "string" ? body.type.split("/").pop() : undefined;
    return new ApiError(status, typeof message === "string" ? message : `HTTP ${status}`, code, problems, body);
  }
  return new ApiError(status, `HTTP ${status}`, undefined, [], body);
}

export interface ApiTarget {
  readonly credentials: Credentials;
  readonly sandbox: string;
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export class Api {
  constructor(
    readonly target: ApiTarget,
    private readonly fetchImpl: Fetch = (input, init) => fetch(input, init),
  ) {}

  headers(): Record<string, string> {
    const { credentials, sandbox } = this.target;
    return {
      authorization: `Bearer ${credentials.accessToken}`,
      "x-api-key": credentials.apiKey,
      "x-gw-ims-org-id": credentials.orgId,
      "x-sandbox-name": sandbox,
      accept: "application/json",
    };
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.fetchImpl(path, {
      method,
      headers: { ...this.headers(), ...(body === undefined ? {} : { "content-type": "application/json" }), ...extra },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!response.ok) throw errorOf(response.status, parsed);
    return parsed as T;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  post<T = unknown>(path: string, body?: unknown, extra?: Record<string, string>): Promise<T> {
    return this.request<T>("POST", path, body, extra);
  }

  delete<T = unknown>(path: string): Promise<T> {
    return this.request<T>("DELETE", path);
  }

  /** Every item of a Flow Service list, following `_links.next` (at most `maxPages` pages). */
  async list<T = Json>(path: string, maxPages = 10): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    for (let page = 0; next !== undefined && page < maxPages; page += 1) {
      const envelope: Json = await this.get<Json>(next);
      if (Array.isArray(envelope.items)) items.push(...(envelope.items as T[]));
      const href = isObject(envelope._links) && isObject(envelope._links.next) ? envelope._links.next.href : undefined;
      next =
        typeof href === "string"
          ? href.startsWith(paths.flowService)
            ? href
            : `${paths.flowService}${href}`
          : undefined;
    }
    return items;
  }

  /** The first item of a GET by id (`{items: [one]}`, spec §2.3). */
  async one<T = Json>(path: string): Promise<T> {
    const envelope = await this.get<Json>(path);
    const item = Array.isArray(envelope.items) ? envelope.items[0] : undefined;
    if (item === undefined) throw new ApiError(404, `Nothing at ${path}`, undefined, [], envelope);
    return item as T;
  }
}

export const fs = (path: string) => `${paths.flowService}${path}`;
export const catalog = (path: string) => `${paths.catalog}${path}`;
export const conversion = (path: string) => `${paths.conversion}${path}`;
export const inlet = (path: string) => `${paths.inlet}${path}`;

/** Base64 of a JSON value's UTF-8 text (explore's `sourceParams`). */
export function base64Json(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The id in a Catalog create answer (`["@/dataSets/<id>"]`). */
export function catalogId(answer: unknown): string {
  const first = Array.isArray(answer) ? answer[0] : undefined;
  return String(first ?? "").replace(/^@\/dataSets\//, "");
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
