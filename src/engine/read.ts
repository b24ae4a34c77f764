/**
 * readRecords: the streaming read loop. Records are yielded as each page arrives; while they are
 * consumed, the next page (and only that one) is already being fetched, so memory is bounded by
 * two pages whatever the length of the read, and the network wait overlaps the consumer's work.
 * Every read ends with a StopReason.
 */
import type { AuthContext, OutgoingRequest, RotatedCredentials } from "./auth/types.ts";
import { bodyExcerpt, EngineError } from "./errors.ts";
import { createAgent, exchange, type HttpResponse, sleep } from "./http/client.ts";
import { type HttpSettings, httpSettings } from "./http/settings.ts";
import type { PageCheckpoint, PageRequest, PageStep, StopReason } from "./pagination/index.ts";
import { buildPlan, pageRequestParts, type ReadPlan } from "./plan.ts";
import type { ReadWindow } from "./windows.ts";

export type { RotatedCredentials } from "./auth/types.ts";
export type { PageCheckpoint, StopReason } from "./pagination/index.ts";
export type { ReadWindow } from "./windows.ts";

export interface ReadRequest {
  readonly spec: unknown;
  readonly authSpecName?: string;
  readonly auth: Readonly<Record<string, unknown>>;
  readonly params: Readonly<Record<string, unknown>>;
  readonly window?: ReadWindow;
  readonly maxRecords?: number;
  /** At most this many pages (preview reads one); `maximumRequest` of the spec applies as well. */
  readonly maxPages?: number;
  readonly signal?: AbortSignal;
  readonly http?: Partial<HttpSettings>;
  readonly now?: () => Date;
  readonly onCredentialsRotated?: (c: RotatedCredentials) => void | Promise<void>;
  readonly onEvent?: (e: ReadEvent) => void;
  /**
   * Awaited before every HTTP attempt to the source, retries included, so a caller can pace one
   * upstream account across processes (the worker fleet's PostgreSQL pacer). Not called for OAuth2
   * token requests: they go to the token endpoint, rarely, and are not the source's paged traffic.
   * The engine's own delayRequestMillis wait between pages applies as well.
   */
  readonly beforeRequest?: () => Promise<void>;
  /**
   * Starts the read at a checkpoint an earlier read reported (`onPageConsumed`) instead of the first
   * page: a run taken over after its worker died continues where its committed data ends. Loop
   * detection starts fresh, and the summary counts this read only.
   */
  readonly resumeFrom?: PageCheckpoint;
  /**
   * Called once every record of a page has been handed to the consumer (the consumer asked for the
   * record after the page's last), when another page follows: `checkpoint` resumes the read just
   * after that page. Not called for the last page of a read, nor for NONE pagination.
   */
  readonly onPageConsumed?: (checkpoint: PageCheckpoint) => void | Promise<void>;
}

export interface RedactedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface RequestLogEntry extends RedactedRequest {
  /** `page`: a request of the source; `token`: an OAuth2 refresh at accessTokenUrl. */
  readonly kind: "page" | "token";
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
  /** Page requests sent (a request retried after a 401 counts twice; token calls are in the request log). */
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

/** A fetched, parsed and extracted page. */
interface LoadedPage {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly bytes: number;
  readonly body: unknown;
  readonly records: readonly Record<string, unknown>[];
  readonly itemCount: number;
}

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

/** An EngineError as is; the caller's abort as a network error; anything else (a bug) is not dressed up. */
function asEngineError(cause: unknown, signal: AbortSignal | undefined): EngineError | undefined {
  if (cause instanceof EngineError) return cause;
  if (!signal?.aborted) return undefined;
  const reason: unknown = signal.reason;
  return new EngineError("network", `Read aborted: ${reason instanceof Error ? reason.message : String(reason)}`);
}

export function readRecords(request: ReadRequest): ReadHandle {
  const requestLog: RequestLogEntry[] = [];
  let summary: ReadSummary | undefined;
  const settings = httpSettings(request.http);
  const now = request.now ?? (() => new Date());
  const started = performance.now();
  const counts = { pages: 0, records: 0, requests: 0, retries: 0, bytes: 0 };
  let iterated = false;

  const log = (entry: RequestLogEntry) => {
    requestLog.push(entry);
    if (requestLog.length > requestLogLimit) requestLog.shift();
    request.onEvent?.({ type: "request", entry });
  };

  async function* run(): AsyncGenerator<Record<string, unknown>> {
    // Stays undefined when the consumer stops iterating early: that is a limit it imposed.
    let stopReason: StopReason | undefined;
    const agent = createAgent(settings);
    // Aborts a prefetched page nobody will read once the read ends.
    const ended = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, ended.signal]) : ended.signal;
    try {
      const p = buildPlan(request);
      const authContext: AuthContext = {
        agent,
        settings,
        redactor: p.redactor,
        now,
        signal,
        ...(request.onCredentialsRotated ? { onCredentialsRotated: request.onCredentialsRotated } : {}),
        onAuthRequest: (notice) => {
          const { status, durationMs, bytes, retries, error, ...rest } = notice;
          log({
            ...rest,
            headers: {},
            kind: "token",
            at: now().toISOString(),
            ...(status === undefined ? {} : { status }),
            durationMs,
            bytes,
            retries,
            ...(error === undefined ? {} : { error }),
          });
        },
      };

      /** One page request: auth applied, retried by exchange(), once more after a 401 that auth recovers from. */
      const fetchPage = async (url: URL, headers: Record<string, string>): Promise<HttpResponse> => {
        for (let authRetry = 0; ; authRetry++) {
          const outgoing: OutgoingRequest = { headers: { ...baseHeaders(settings), ...headers }, query: {} };
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
              signal,
              ...(request.beforeRequest ? { beforeAttempt: request.beforeRequest } : {}),
              onRetry: (notice) => {
                counts.retries += 1;
                request.onEvent?.({ type: "retry", url: safe.url, ...notice });
              },
            },
          );
          const response = result.response ?? result.failedResponse;
          log({
            ...safe,
            kind: "page",
            at: now().toISOString(),
            durationMs: Math.round(performance.now() - t0),
            bytes: response?.body.length ?? 0,
            retries: result.retries,
            ...(response ? { status: response.status } : {}),
            ...(result.error ? { error: result.error.message } : {}),
          });
          if (result.response) return result.response;
          const error = result.error as EngineError;
          if (error.status === 401 && authRetry === 0 && (await p.authenticator.recover(outgoing, authContext)))
            continue;
          throw error;
        }
      };

      /** Waits `delayMs`, fetches a page, parses it and extracts its records. */
      const load = async (pageRequest: PageRequest, delayMs: number): Promise<LoadedPage> => {
        await sleep(delayMs, signal);
        const { url, headers } = pageRequestParts(p, pageRequest);
        const response = await fetchPage(url, headers);
        // The page as the spec built it: no auth query params, which also keeps loop checks exact.
        const pageUrl = url.toString();
        const safeUrl = p.redactor.text(pageUrl);
        const excerpt = () => bodyExcerpt(response.body, p.redactor);
        let body: unknown;
        try {
          body = JSON.parse(response.body.toString("utf8"));
        } catch {
          const text = excerpt();
          throw new EngineError(
            "extraction",
            `The response of ${safeUrl} (status ${response.status}) is not JSON: ${text}`,
            { url: safeUrl, status: response.status, bodyExcerpt: text },
          );
        }
        const { records, itemCount } = p.extractor.records(body, { url: safeUrl, status: response.status, excerpt });
        return { url: pageUrl, headers: response.headers, bytes: response.body.length, body, records, itemCount };
      };
      /** Starts loading a page now; its failure surfaces where it is awaited, after the records before it. */
      const prefetch = (pageRequest: PageRequest, delayMs: number) => {
        const pending = load(pageRequest, delayMs);
        pending.catch(() => {});
        return pending;
      };

      const firstRequest = request.resumeFrom ? p.paginator.resume(request.resumeFrom) : p.paginator.first();
      let next = prefetch(firstRequest, 0);
      for (;;) {
        const page = await next;
        counts.pages += 1;
        counts.bytes += page.bytes;
        request.onEvent?.({ type: "page", page: counts.pages, records: page.records.length, bytes: page.bytes });
        // A failing step (a loop, a bad pointer) concerns the next page: this page's records go out first.
        let step: PageStep | EngineError;
        try {
          step = p.paginator.next({ url: page.url, body: page.body, headers: page.headers, itemCount: page.itemCount });
        } catch (cause) {
          if (!(cause instanceof EngineError)) throw cause;
          // Paginators name URLs as fetched (the page's, a pointer's), whose query may carry a
          // secret param (`token=${listToken}`): their errors are redacted here, once, for all.
          step = new EngineError(cause.kind, p.redactor.text(cause.message), {
            ...(cause.url === undefined ? {} : { url: p.redactor.text(cause.url) }),
            ...(cause.status === undefined ? {} : { status: cause.status }),
            ...(cause.bodyExcerpt === undefined ? {} : { bodyExcerpt: p.redactor.text(cause.bodyExcerpt) }),
          });
        }
        // Taken now: the paginator's state moves on with the next step.
        const checkpoint =
          request.onPageConsumed && !(step instanceof EngineError) && step.kind === "next"
            ? p.paginator.checkpoint()
            : undefined;
        const capped =
          counts.pages >= p.paginator.maximumRequest ||
          (request.maxPages !== undefined && counts.pages >= request.maxPages);
        const limited = request.maxRecords !== undefined && counts.records + page.records.length >= request.maxRecords;
        // The next page is fetched while this one's records are consumed: network and consumer overlap.
        if (!(step instanceof EngineError) && step.kind === "next" && !capped && !limited)
          next = prefetch(step.request, p.paginator.delayMs);
        for (const record of page.records) {
          if (request.maxRecords !== undefined && counts.records >= request.maxRecords) break;
          counts.records += 1;
          yield record;
        }
        if (limited) {
          stopReason = "record-limit";
          return;
        }
        if (step instanceof EngineError) throw step;
        if (step.kind === "stop") {
          stopReason = step.reason;
          return;
        }
        if (capped) {
          stopReason = "maximum-request";
          return;
        }
        if (checkpoint !== undefined) await request.onPageConsumed?.(checkpoint);
      }
    } catch (cause) {
      const error = asEngineError(cause, request.signal);
      summary = {
        ...counts,
        stopReason: "error",
        durationMs: Math.round(performance.now() - started),
        ...(error ? { error } : {}),
      };
      throw error ?? cause;
    } finally {
      ended.abort();
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
    [Symbol.asyncIterator]: () => {
      if (iterated) throw new Error("A ReadHandle can be iterated once; call readRecords again for another read");
      iterated = true;
      return run();
    },
  };
}
