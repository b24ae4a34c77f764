/**
 * Zendesk search export imitation: GET /api/v2/search/export?query=&filter[type]=&page[size]=&page[after]=,
 * Bearer auth, cursor pagination with meta.after_cursor/has_more and links.next. As in the docs'
 * sample, the last page says `has_more: false` yet still carries an `after_cursor`; following it
 * returns no results and a null cursor. Optional 429s with Retry-After (seconds or an HTTP date).
 */
import { connectionSpec } from "./harness.ts";
import { type Imitation, sendJson, startImitation } from "./server.ts";

export interface ZendeskOptions {
  readonly users?: number;
  /** Answer 429 (with Retry-After) to this many requests before serving. */
  readonly rateLimitedRequests?: number;
  /** Retry-After value: seconds, or "date" for an HTTP date one second ahead. */
  readonly retryAfter?: string;
  /** Repeat the first cursor forever (a broken API, to prove loop detection). */
  readonly stuckCursor?: boolean;
  readonly token?: string;
}

const encode = (n: number) => Buffer.from(String(n)).toString("base64url");

export function startZendesk(options: ZendeskOptions = {}): Promise<Imitation> {
  const users = options.users ?? 7;
  let limited = options.rateLimitedRequests ?? 0;
  return startImitation((req, res, url) => {
    if (req.headers.authorization !== `Bearer ${options.token ?? "zd-token"}`)
      return sendJson(res, 401, { error: "Couldn't authenticate you" });
    if (limited > 0) {
      limited -= 1;
      const retryAfter =
        options.retryAfter === "date" ? new Date(Date.now() + 1000).toUTCString() : (options.retryAfter ?? "0");
      return sendJson(res, 429, { error: "APIRateLimitExceeded" }, { "retry-after": retryAfter });
    }
    if (url.pathname !== "/api/v2/search/export") return sendJson(res, 404, { error: "InvalidEndpoint" });
    if (!url.searchParams.get("filter[type]")) return sendJson(res, 400, { error: "filter[type] is required" });
    const size = Number(url.searchParams.get("page[size]") ?? "100");
    const after = url.searchParams.get("page[after]");
    const start = options.stuckCursor || !after ? 0 : Number(Buffer.from(after, "base64url").toString());
    const results = Array.from({ length: Math.max(0, Math.min(size, users - start)) }, (_, k) => ({
      id: 1000 + start + k,
      name: `User ${start + k}`,
      email: `u${start + k}@example.com`,
      result_type: "user",
    }));
    const next = start + results.length;
    const hasMore = next < users;
    const cursor = results.length === 0 ? null : encode(options.stuckCursor ? size : next);
    sendJson(res, 200, {
      results,
      facets: null,
      meta: { has_more: hasMore, after_cursor: cursor, before_cursor: start > 0 ? encode(start) : null },
      links: {
        next: hasMore ? `http://${req.headers.host}${url.pathname}?page[after]=${cursor}&filter[type]=user` : null,
        prev: null,
      },
    });
  });
}

/** A connection spec for this imitation: bearer `${zdToken}`, cursor pagination (spread `pagination` over it). */
export const zendeskSpec = (host: string, pagination: Record<string, unknown> = {}) =>
  connectionSpec({
    urlParams: {
      host,
      path: "/api/v2/search/export",
      method: "GET",
      queryParams: "query=type:user,filter[type]=user",
    },
    headerParams: { Authorization: "Bearer ${zdToken}" },
    contentPath: { path: "$.results", skipAttributes: ["facets"] },
    paginationParams: {
      type: "CONTINUATION_TOKEN",
      continuationTokenPath: "$.meta.after_cursor",
      parameterType: "QUERYPARAM",
      parameterName: "page[after]",
      limitName: "page[size]",
      limitValue: 3,
      ...pagination,
    },
  });
export const zendeskParams = { zdToken: "zd-token" };
