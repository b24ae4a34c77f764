/**
 * readRecords: the streaming read loop. Pages are fetched one at a time and their records yielded
 * before the next request, so memory is bounded by a page. Every read ends with a StopReason.
 */
import type { RotatedCredentials } from "./auth/types.ts";
import { bodyExcerpt, EngineError } from "./errors.ts";
import { createAgent, exchange, type HttpResponse, sleep } from "./http/client.ts";
import { type HttpSettings, httpSettings } from "./http/settings.ts";
import type { StopReason } from "./pagination/index.ts";
import { buildPlan, pageRequestParts, type ReadPlan } from "./plan.ts";

export type { RotatedCredentials } from "./auth/types.ts";
export type { StopReason } from "./pagination/index.ts";

export interface ReadWindow {
  readonly start: Date;
  readonly end: Date;
  readonly backfill: boolean;
}

export interface ReadRequest {
  readonly spec: unknown;
  readonly authSpecName?: string;
  readonly auth: Readonly<Record<string, unknown>>;
  readonly params: Readonly<Record<string, unknown>>;
  readonly window?: ReadWindow;
  readonly maxRecords?: number;
  readonly maxPages?: number;
  readonly signal?: AbortSignal;
  readonly http?: Partial<HttpSettings>;
  readonly now?: () => Date;
  readonly onCredentialsRotated?: (c: RotatedCredentials) => void | Promise<void>;
  readonly onEvent?: (e: ReadEvent) => void;
}

export interface RedactedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface RequestLogEntry extends RedactedRequest {
  readonly at: string;
  readonly status?: number;
  readonly durationMs: number;
  readonly bytes: number;
  readonly retries: number;
  readonly error?: string;
}

export type ReadEvent =
  | { readonly type: "request"; readonly entry: RequestLogEntry }
  | { readonly type: "page"; readonly page: number; readonly records: number; readonly bytes: number }
  | {
      readonly type: "retry";
      readonly url: string;
      readonly attempt: number;
      readonly waitMs: number;
      readonly status?: number;
      readonly reason: string;
    };

export interface ReadSummary {
  pages: number;
  records: number;
  requests: number;
  retries: number;
  bytes: number;
  stopReason: StopReason;
  durationMs: number;
  error?: EngineError;
}

export interface ReadHandle extends AsyncIterable<Record<string, unknown>> {
  summary(): ReadSummary;
  readonly requestLog: readonly RequestLogEntry[];
}

const requestLogLimit = 1000;

function redactedRequest(
  plan: ReadPlan,
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
): RedactedRequest {
  return {
    method,
    url: plan.redactor.text(url),
    headers: plan.redactor.headers(headers, plan.authenticator.secretHeaders),
    ...(body === undefined ? {} : { body: plan.redactor.text(body) }),
  };
}

function baseHeaders(settings: HttpSettings): Record<string, string> {
  return { accept: "application/json", "accept-encoding": "gzip, deflate, br", "user-agent": settings.userAgent };
}

/** Describes the first request of a read, credentials masked. Sends nothing. */
export function explainFirstRequest(request: ReadRequest): RedactedRequest {
  const plan = buildPlan(request);
  const settings = httpSettings(request.http);
  const { url, headers } = pageRequestParts(plan, plan.paginator.first());
  const outgoing = { headers: { ...baseHeaders(settings), ...headers }, query: {} as Record<string, string> };
  plan.authenticator.preview(outgoing);
  for (const [k, v] of Object.entries(outgoing.query)) url.searchParams.set(k, v);
  return redactedRequest(plan, plan.method, url.toString(), outgoing.headers, plan.body);
}

function toEngineError(cause: unknown): EngineError {
  if (cause instanceof EngineError) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new EngineError("network", `Read aborted: ${message}`);
}

export function readRecords(request: ReadRequest): ReadHandle {
  const requestLog: RequestLogEntry[] = [];
  let summary: ReadSummary | undefined;
  const settings = httpSettings(request.http);
  const now = request.now ?? (() => new Date());
  const started = performance.now();
  const counts = { pages: 0, records: 0, requests: 0, retries: 0, bytes: 0 };
  let plan: ReadPlan | undefined;

  const log = (entry: RequestLogEntry) => {
    requestLog.push(entry);
    if (requestLog.length > requestLogLimit) requestLog.shift();
    request.onEvent?.({ type: "request", entry });
  };

  async function* run(): AsyncGenerator<Record<string, unknown>> {
    // Stays undefined when the consumer stops iterating early: that is a limit it imposed.
    let stopReason: StopReason | undefined;
    const agent = createAgent(settings);
    try {
      plan = buildPlan(request);
      const p = plan;
      const authContext = {
        agent,
        settings,
        redactor: p.redactor,
        now,
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.onCredentialsRotated ? { onCredentialsRotated: request.onCredentialsRotated } : {}),
      };
      const fetchPage = async (url: URL, headers: Record<string, string>): Promise<HttpResponse> => {
        for (let authRetry = 0; ; authRetry++) {
          const outgoing = { headers: { ...baseHeaders(settings), ...headers }, query: {} as Record<string, string> };
          await p.authenticator.apply(outgoing, authContext);
          const target = new URL(url);
          for (const [k, v] of Object.entries(outgoing.query)) target.searchParams.set(k, v);
          const href = target.toString();
          const safe = redactedRequest(p, p.method, href, outgoing.headers, p.body);
          const t0 = performance.now();
          counts.requests += 1;
          const result = await exchange(
            agent,
            {
              method: p.method,
              url: href,
              headers: outgoing.headers,
              ...(p.body === undefined ? {} : { body: p.body }),
            },
            {
              settings,
              redactor: p.redactor,
              ...(request.signal ? { signal: request.signal } : {}),
              onRetry: (notice) => request.onEvent?.({ type: "retry", url: safe.url, ...notice }),
            },
          );
          counts.retries += result.retries;
          const response = result.response ?? result.failedResponse;
          log({
            ...safe,
            at: now().toISOString(),
            durationMs: Math.round(performance.now() - t0),
            bytes: response?.body.length ?? 0,
            retries: result.retries,
            ...(response ? { status: response.status } : {}),
            ...(result.error ? { error: result.error.message } : {}),
          });
          if (result.response) return result.response;
          const error = result.error as EngineError;
          if (error.status === 401 && authRetry === 0 && (await p.authenticator.recover(authContext))) continue;
          throw error;
        }
      };

      let pageRequest = p.paginator.first();
      for (;;) {
        const { url, headers } = pageRequestParts(p, pageRequest);
        const response = await fetchPage(url, headers);
        counts.bytes += response.body.length;
        const safeUrl = p.redactor.text(response.url);
        let body: unknown;
        try {
          body = JSON.parse(response.body.toString("utf8"));
        } catch {
          const excerpt = p.redactor.text(bodyExcerpt(response.body));
          throw new EngineError(
            "extraction",
            `The response of ${safeUrl} (status ${response.status}) is not JSON: ${excerpt}`,
            {
              url: safeUrl,
              status: response.status,
              bodyExcerpt: excerpt,
            },
          );
        }
        const { records, itemCount } = p.extractor.records(body, {
          url: safeUrl,
          status: response.status,
          raw: response.body,
        });
        counts.pages += 1;
        request.onEvent?.({ type: "page", page: counts.pages, records: records.length, bytes: response.body.length });
        for (const record of records) {
          if (request.maxRecords !== undefined && counts.records >= request.maxRecords) {
            stopReason = "record-limit";
            return;
          }
          counts.records += 1;
          yield record;
        }
        if (request.maxRecords !== undefined && counts.records >= request.maxRecords) {
          stopReason = "record-limit";
          return;
        }
        const step = p.paginator.next({ url: response.url, body, headers: response.headers, itemCount });
        if (step.kind === "stop") {
          stopReason = step.reason;
          return;
        }
        if (
          counts.pages >= p.paginator.maximumRequest ||
          (request.maxPages !== undefined && counts.pages >= request.maxPages)
        ) {
          stopReason = "maximum-request";
          return;
        }
        pageRequest = step.request;
        await sleep(p.paginator.delayMs, request.signal);
      }
    } catch (cause) {
      const error = toEngineError(cause);
      summary = { ...counts, stopReason: "error", durationMs: Math.round(performance.now() - started), error };
      throw error;
    } finally {
      summary ??= {
        ...counts,
        stopReason: stopReason ?? "record-limit",
        durationMs: Math.round(performance.now() - started),
      };
      await agent.close().catch(() => {});
    }
  }

  return {
    requestLog,
    summary() {
      if (!summary) throw new Error("summary() is valid once iteration has ended");
      return summary;
    },
    [Symbol.asyncIterator]: () => run(),
  };
}
