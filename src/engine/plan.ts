/**
 * Turns a connection spec + params into a read plan: the base request with every placeholder
 * resolved (so an unresolved one fails before any request), the authenticator, the paginator and
 * the extractor. Request settings come from `sourceSpec.attributes.X`, falling back to
 * `params.X`, which accepts both layouts of spec §4.1 (and `attributes.spec` nested).
 */
import { type Authenticator, createAuthenticator, registerSecrets, resolveAuth } from "./auth/index.ts";
import { EngineError } from "./errors.ts";
import { createExtractor, type Extractor } from "./extract.ts";
import type { HttpMethod } from "./http/client.ts";
import { createPaginator, type PageRequest, type Paginator } from "./pagination/index.ts";
import type { ReadRequest } from "./read.ts";
import { Redactor } from "./redact.ts";
import { type Lookup, layeredLookup, parseParamMap, render, renderJson, renderUrl } from "./template.ts";
import { renderWindow } from "./windows.ts";

export interface ReadPlan {
  readonly method: HttpMethod;
  /** Base URL with rendered host and path, no query. */
  readonly baseUrl: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly authenticator: Authenticator;
  readonly paginator: Paginator;
  readonly extractor: Extractor;
  readonly redactor: Redactor;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** JSON written as a string (the generic template's user inputs often are). */
function objectOrJson(value: unknown): unknown {
  if (typeof value !== "string" || !value.trim().startsWith("{")) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export function sourceSettings(spec: unknown, params: Readonly<Json>): (name: string) => unknown {
  if (!isObject(spec)) throw new EngineError("spec", "The connection spec must be a JSON object");
  const sourceSpec = isObject(spec.sourceSpec) ? spec.sourceSpec : {};
  const attributes = isObject(sourceSpec.attributes) ? sourceSpec.attributes : {};
  return (name) => objectOrJson(attributes[name] ?? params[name]);
}

function userInputSchema(spec: Json): Json {
  const sourceSpec = isObject(spec.sourceSpec) ? spec.sourceSpec : {};
  const attributes = isObject(sourceSpec.attributes) ? sourceSpec.attributes : {};
  const inputs = sourceSpec.spec ?? attributes.spec;
  return isObject(inputs) ? inputs : {};
}

/**
 * bodyParams (spec §4.3, no documented shape): a JSON object, or a string. A string holding JSON
 * is rendered value by value (so a substituted quote cannot break it); any other string is
 * rendered as text and must then be JSON.
 */
function renderBody(value: unknown, lookup: Lookup): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") {
    try {
      return JSON.stringify(renderJson(JSON.parse(value), lookup, "bodyParams"));
    } catch (error) {
      if (error instanceof EngineError) throw error;
    }
    const text = render(value, lookup, "bodyParams");
    try {
      JSON.parse(text);
    } catch {
      throw new EngineError("spec", "bodyParams must be JSON (an object, or a string holding JSON)");
    }
    return text;
  }
  if (typeof value !== "object") throw new EngineError("spec", "bodyParams must be a JSON object or a string");
  if (!Array.isArray(value) && Object.keys(value).length === 0) return undefined;
  return JSON.stringify(renderJson(value, lookup, "bodyParams"));
}

export function buildPlan(request: ReadRequest): ReadPlan {
  if (!isObject(request.auth)) throw new EngineError("params", "The auth params must be a JSON object");
  if (!isObject(request.params)) throw new EngineError("params", "The source params must be a JSON object");
  const spec = request.spec as Json;
  const setting = sourceSettings(spec, request.params);
  const redactor = new Redactor();
  const { config, schema } = resolveAuth(spec, request.authSpecName, request.auth);
  registerSecrets(redactor, request.auth, schema);
  registerSecrets(redactor, request.params, userInputSchema(spec));
  const authenticator = createAuthenticator(config, redactor);

  const urlParams = setting("urlParams");
  if (!isObject(urlParams))
    throw new EngineError("spec", "sourceSpec.attributes.urlParams (or params.urlParams) is missing");
  const scheduleParams = setting("scheduleParams");
  const window = request.window && scheduleParams ? renderWindow(scheduleParams, request.window) : undefined;
  const lookup = layeredLookup(request.params, request.auth, window?.placeholders ?? {});

  const hostTemplate = typeof urlParams.host === "string" && urlParams.host !== "" ? urlParams.host : request.auth.host;
  if (typeof hostTemplate !== "string" || hostTemplate === "")
    throw new EngineError("spec", "No host: set urlParams.host or the auth param host");
  const host = renderUrl(hostTemplate, lookup, "urlParams.host").replace(/\/+$/, "");
  const pathTemplate = urlParams.path ?? "";
  if (typeof pathTemplate !== "string") throw new EngineError("spec", "urlParams.path must be a string");
  const path = renderUrl(pathTemplate, lookup, "urlParams.path");
  const baseUrl = `${host}${path === "" || path.startsWith("/") || path.startsWith("?") ? "" : "/"}${path}`;
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new EngineError("spec", `The request URL ${redactor.text(baseUrl)} is not a valid absolute URL`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new EngineError("spec", `The request URL ${redactor.text(baseUrl)} must be http or https`);
  const method = (typeof urlParams.method === "string" ? urlParams.method.trim().toUpperCase() : "GET") as HttpMethod;
  if (method !== "GET" && method !== "POST")
    throw new EngineError("spec", `urlParams.method must be GET or POST (got ${String(urlParams.method)})`);

  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseParamMap(urlParams.queryParams, "urlParams.queryParams"))) {
    query[render(k, lookup, "urlParams.queryParams")] = render(v, lookup, `urlParams.queryParams.${k}`);
  }
  Object.assign(query, window?.queryParams ?? {});
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseParamMap(setting("headerParams"), "headerParams"))) {
    headers[k] = render(v, lookup, `headerParams.${k}`);
  }
  const body = renderBody(setting("bodyParams"), lookup);
  if (body !== undefined) {
    if (method !== "POST") throw new EngineError("spec", "bodyParams needs urlParams.method POST");
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
      headers["content-type"] = "application/json";
  }
  const contentPath = setting("contentPath");
  if (contentPath === undefined || contentPath === null || contentPath === "")
    throw new EngineError("spec", "contentPath is missing");
  return {
    method,
    baseUrl,
    query,
    headers,
    ...(body === undefined ? {} : { body }),
    authenticator,
    paginator: createPaginator(setting("paginationParams")),
    extractor: createExtractor(contentPath, setting("explodeEntityPath")),
    redactor,
  };
}

/** The URL and headers of one page request, before auth. */
export function pageRequestParts(plan: ReadPlan, page: PageRequest): { url: URL; headers: Record<string, string> } {
  const url = new URL(page.url ?? plan.baseUrl);
  if (page.url === undefined) {
    for (const [k, v] of Object.entries(plan.query)) url.searchParams.set(k, v);
  }
  for (const [k, v] of Object.entries(page.query)) url.searchParams.set(k, v);
  return { url, headers: { ...plan.headers, ...page.headers } };
}
