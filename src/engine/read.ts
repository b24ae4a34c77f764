/**
 * The streaming read loop. Records are handed over as each page arrives; while they are consumed,
 * the next page (and only that one) is already being fetched, so memory is bounded by two pages
 * whatever the length of the read, and the network wait overlaps the consumer's work. Every read
 * ends with a StopReason.
 * - `readRecords`: one parsed record at a time.
 * - `readPages`: a page at a time; with `json: true` a page's records come as their JSON text,
 *   sliced from the response without parsing it (raw/scan-page.ts), wherever the spec and the page
 *   allow: a consumer that only writes the records out (inlet read, a dataflow with no real
 *   mapping) then skips JSON.parse and JSON.stringify, most of a read's CPU (bench/engine.ts).
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

/**
 * A page's records: parsed, or (`readPages` with `json: true`) as JSON text, one line each, with
 * the same content the parsed records would serialise to (spellings of numbers and escapes kept as
 * the API wrote them). The engine falls back to parsed records for a page it cannot slice: one
 * that is not strictly valid JSON (parsing then reports the exact problem), an explode, a
 * contentPath that is not a plain member path, or pagination that reads inside the records.
 */
export type RecordPage =
  | { readonly format: "objects"; readonly records: readonly Record<string, unknown>[] }
  | { readonly format: "json"; readonly records: readonly Buffer[] };

export interface PageReadRequest extends ReadRequest {
  /** Hand records over as JSON text where possible (see RecordPage). */
  readonly json?: boolean;
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

interface ReadResults {
  /** Valid once iteration has ended (or stopped early). */
  summary(): ReadSummary;
  readonly requestLog: readonly RequestLogEntry[];
}

export interface ReadHandle extends AsyncIterable<Record<string, unknown>>, ReadResults {}
export interface PageReadHandle extends AsyncIterable<RecordPage>, ReadResults {}

const requestLogLimit = 1000;

/** A fetched and extracted page; `body` is what the paginator reads (without the records for JSON pages). */
interface LoadedPage {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly bytes: number;
  readonly body: unknown;
  readonly content: RecordPage;
  readonly itemCount: number;
}

/** JSON pages are sliced only when the paginator reads nothing under the records' root member. */
function canSliceJson(plan: ReadPlan): boolean {
  const root = plan.extractor.contentPath.rootName;
  return (
    plan.extractor.jsonRecords !== undefined &&
    plan.paginator.bodyPaths.every((path) => path.rootName !== undefined && path.rootName !== root)
  );
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

/** Parsed records, one at a time. */
export function readRecords(request: ReadRequest): ReadHandle {
  const read = startRead({ ...request, json: false });
  return iterableOnce(read, "ReadHandle", "readRecords", async function* () {
    for await (const page of read.pages()) {
      for (const record of page.records as readonly Record<string, unknown>[]) {
        read.counts.records += 1;
        yield record;
      }
    }
  });
}

/** A page of records at a time, as JSON text where possible when `json` is set. */
export function readPages(request: PageReadRequest): PageReadHandle {
  const read = startRead(request);
  return iterableOnce(read, "PageReadHandle", "readPages", async function* () {
    for await (const page of read.pages()) {
      read.counts.records += page.records.length;
      yield page;
    }
  });
}

/** A handle over `generate`, which may be iterated once: a second read needs a new call. */
function iterableOnce<T>(
  read: StartedRead,
  handle: string,
  name: string,
  generate: () => AsyncGenerator<T>,
): AsyncIterable<T> & ReadResults {
  let iterated = false;
  return {
    requestLog: read.requestLog,
    summary: read.summary,
    [Symbol.asyncIterator]: () => {
      if (iterated) throw new Error(`A ${handle} can be iterated once; call ${name} again for another read`);
      iterated = true;
      return generate();
    },
  };
}

interface StartedRead extends ReadResults {
  /** Counters; the caller adds records as it hands them over, so an early stop counts exactly. */
  readonly counts: { pages: number; records: number; requests: number; retries: number; bytes: number };
  /** Pages cut to `maxRecords`; `onPageConsumed` runs when the consumer asks for the page after. */
  pages(): AsyncGenerator<RecordPage>;
}

function startRead(request: PageReadRequest): StartedRead {
  const requestLog: RequestLogEntry[] = [];
  let summary: ReadSummary | undefined;
  const settings = httpSettings(request.http);
  const now = request.now ?? (() => new Date());
  const started = performance.now();
  const counts = { pages: 0, records: 0, requests: 0, retries: 0, bytes: 0 };

  const log = (entry: RequestLogEntry) => {
    requestLog.push(entry);
    if (requestLog.length > requestLogLimit) requestLog.shift();
    request.onEvent?.({ type: "request", entry });
  };

  async function* run(): AsyncGenerator<RecordPage> {
    // Stays undefined when the consumer stops iterating early: that is a limit it imposed.
    let stopReason: StopReason | undefined;
    const agent = createAgent(settings);
    // Aborts a prefetched page nobody will read once the read ends.
    const ended = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, ended.signal]) : ended.signal;
    try {
      const p = buildPlan(request);
      const sliceJson = request.json === true && canSliceJson(p);
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
        const loaded = { url: pageUrl, headers: response.headers, bytes: response.body.length };
        const json = sliceJson ? p.extractor.jsonRecords?.(response.body) : undefined;
        if (json)
          return {
            ...loaded,
            body: json.body,
            content: { format: "json", records: json.records },
            itemCount: json.itemCount,
          };
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
        return { ...loaded, body, content: { format: "objects", records }, itemCount };
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
        const pageRecords = page.content.records.length;
        request.onEvent?.({ type: "page", page: counts.pages, records: pageRecords, bytes: page.bytes });
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
        const limited = request.maxRecords !== undefined && counts.records + pageRecords >= request.maxRecords;
        // The next page is fetched while this one's records are consumed: network and consumer overlap.
        if (!(step instanceof EngineError) && step.kind === "next" && !capped && !limited)
          next = prefetch(step.request, p.paginator.delayMs);
        const room = request.maxRecords === undefined ? pageRecords : request.maxRecords - counts.records;
        if (room > 0) yield room >= pageRecords ? page.content : cut(page.content, room);
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
    counts,
    summary() {
      if (!summary) throw new Error("summary() is valid once iteration has ended");
      return summary;
    },
    pages: run,
  };
}

function cut(page: RecordPage, count: number): RecordPage {
  return page.format === "json"
    ? { format: "json", records: page.records.slice(0, count) }
    : { format: "objects", records: page.records.slice(0, count) };
}
