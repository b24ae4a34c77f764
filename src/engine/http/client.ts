/**
 * One HTTP exchange with retries, on a dedicated undici Agent per read (so a read's sockets and
 * timeouts never leak into another's). Bodies are decompressed (gzip, deflate, br) and returned as
 * a Buffer; callers parse once.
 */

import { promisify } from "node:util";
import { brotliDecompress, gunzip, inflate, inflateRaw } from "node:zlib";
import { Agent, request, errors as undiciErrors } from "undici";
import { bodyExcerpt, EngineError } from "../errors.ts";
import type { Redactor } from "../redact.ts";
import { fullJitterDelay, isRetryableStatus, parseRetryAfter } from "./backoff.ts";
import { egressConnector } from "./egress.ts";
import type { HttpSettings } from "./settings.ts";

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);
const brotliAsync = promisify(brotliDecompress);

export type HttpMethod = "GET" | "POST";

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface HttpResponse {
  readonly url: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface RetryNotice {
  readonly attempt: number;
  readonly waitMs: number;
  readonly status?: number;
  readonly reason: string;
}

export interface ExchangeOptions {
  readonly settings: HttpSettings;
  readonly redactor: Redactor;
  readonly signal?: AbortSignal;
  readonly onRetry?: (notice: RetryNotice) => void;
  /** Awaited before every attempt, retries included (a caller's pacing, e.g. ReadRequest.beforeRequest). */
  readonly beforeAttempt?: () => Promise<void>;
}

export function createAgent(settings: HttpSettings): Agent {
  return new Agent({
    connect: egressConnector(settings.egress, settings.connectTimeoutMs),
    headersTimeout: settings.headersTimeoutMs,
    bodyTimeout: settings.bodyTimeoutMs,
    keepAliveTimeout: 10_000,
  });
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Decompresses, never past `limit` bytes: a small compressed body must not inflate into gigabytes. */
async function decode(body: Buffer, encoding: string | undefined, limit: number, url: string): Promise<Buffer> {
  const options = { maxOutputLength: limit };
  try {
    switch (encoding?.trim().toLowerCase()) {
      case undefined:
      case "":
      case "identity":
        return body;
      case "gzip":
      case "x-gzip":
        return await gunzipAsync(body, options);
      case "deflate":
        // Servers send both zlib-wrapped and raw deflate under this name.
        return await inflateAsync(body, options).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "ERR_BUFFER_TOO_LARGE") throw error;
          return inflateRawAsync(body, options);
        });
      case "br":
        return await brotliAsync(body, options);
      default:
        return body;
    }
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new EngineError(
      "upstream",
      code === "ERR_BUFFER_TOO_LARGE"
        ? `The ${encoding} body of ${url} inflates past ${limit} bytes`
        : `The ${encoding} body of ${url} does not decompress: ${(cause as Error).message}`,
      { url },
    );
  }
}

async function readBody(stream: AsyncIterable<Buffer>, limit: number, url: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > limit) throw new EngineError("upstream", `Response body of ${url} exceeds ${limit} bytes`, { url });
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

type AttemptOutcome =
  | { readonly kind: "response"; readonly response: HttpResponse }
  | {
      readonly kind: "failure";
      readonly error: EngineError;
      readonly retryable: boolean;
      readonly retryAfterMs?: number;
      readonly response?: HttpResponse;
    };

const timeoutCodes = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

async function attempt(agent: Agent, req: HttpRequest, options: ExchangeOptions): Promise<AttemptOutcome> {
  const { settings, redactor } = options;
  const safeUrl = redactor.text(req.url);
  // Only http(s) leaves the engine. Page URLs are checked when planned; this also covers the
  // authorizationTestUrl and accessTokenUrl auth params (file:, data:, ftp:, …), refused at once
  // instead of being retried as network failures.
  if (!isWebUrl(req.url)) {
    const error = new EngineError("spec", `${req.method} ${safeUrl} refused: only http and https URLs are sent`, {
      url: safeUrl,
    });
    return { kind: "failure", error, retryable: false };
  }
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      dispatcher: agent,
      signal: options.signal,
    });
    const headers = flattenHeaders(res.headers);
    const raw = await readBody(res.body, settings.maxBodyBytes, safeUrl);
    const body = await decode(raw, headers["content-encoding"], settings.maxBodyBytes, safeUrl);
    const response: HttpResponse = { url: req.url, status: res.statusCode, headers, body };
    if (res.statusCode >= 200 && res.statusCode < 300) return { kind: "response", response };
    const excerpt = bodyExcerpt(body, redactor);
    // Redirects are not followed: the credentials on this request must not travel to another URL.
    const redirect =
      res.statusCode < 400 && headers.location ? ` (redirect to ${redactor.text(headers.location)}, not followed)` : "";
    const error = new EngineError(
      res.statusCode === 401 || res.statusCode === 403 ? "auth" : "upstream",
      `${req.method} ${safeUrl} answered ${res.statusCode}${redirect}: ${excerpt}`,
      { url: safeUrl, status: res.statusCode, bodyExcerpt: excerpt },
    );
    const retryAfterMs = parseRetryAfter(headers["retry-after"], Date.now());
    return {
      kind: "failure",
      error,
      retryable: isRetryableStatus(res.statusCode),
      response,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  } catch (cause) {
    if (cause instanceof EngineError) return { kind: "failure", error: cause, retryable: false };
    if (options.signal?.aborted) throw cause;
    const code = (cause as { code?: string }).code ?? "";
    const isTimeout = timeoutCodes.has(code) || cause instanceof undiciErrors.HeadersTimeoutError;
    const message = redactor.text((cause as Error).message ?? String(cause));
    const error = new EngineError(
      isTimeout ? "timeout" : "network",
      `${req.method} ${safeUrl} failed: ${code || message}`,
      {
        url: safeUrl,
      },
    );
    return { kind: "failure", error, retryable: true };
  }
}

/** Waits `ms`, or rejects with the abort reason as soon as `signal` aborts (at once if it already has). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    if (ms <= 0) return resolve();
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The outcome of a request: a 2xx response, or the final error (with the failed response when there was one). */
export interface ExchangeResult {
  readonly response?: HttpResponse;
  readonly error?: EngineError;
  readonly failedResponse?: HttpResponse;
  readonly retries: number;
}

/**
 * Sends a request, retrying 408/429/5xx, network failures and timeouts with full-jitter backoff
 * (Retry-After wins when present, capped), within a bounded count and total wait. Returns a 2xx
 * response or the final error; never throws on an HTTP status.
 */
export async function exchange(agent: Agent, req: HttpRequest, options: ExchangeOptions): Promise<ExchangeResult> {
  const { settings } = options;
  let waited = 0;
  for (let retry = 0; ; retry++) {
    await options.beforeAttempt?.();
    const outcome = await attempt(agent, req, options);
    if (outcome.kind === "response") return { response: outcome.response, retries: retry };
    const failedResponse = outcome.response;
    const done = (): ExchangeResult => ({
      error: outcome.error,
      retries: retry,
      ...(failedResponse ? { failedResponse } : {}),
    });
    if (!outcome.retryable || retry >= settings.maxRetries) return done();
    const jitter = fullJitterDelay(retry, settings.backoffBaseMs, settings.backoffMaxMs);
    const waitMs =
      outcome.retryAfterMs === undefined ? jitter : Math.min(outcome.retryAfterMs, settings.retryAfterCapMs);
    if (waited + waitMs > settings.maxTotalWaitMs) return done();
    waited += waitMs;
    options.onRetry?.({
      attempt: retry + 1,
      waitMs,
      reason: outcome.error.message,
      ...(outcome.error.status === undefined ? {} : { status: outcome.error.status }),
    });
    await sleep(waitMs, options.signal);
  }
}
