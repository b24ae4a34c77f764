/**
 * Zendesk search export imitation: GET /api/v2/search/export?query=&page[size]=&page[after]=,
 * cursor pagination with meta.after_cursor/has_more and links.next; optional 429s with Retry-After.
 */
import { type Imitation, sendJson, startImitation } from "./server.ts";

export interface ZendeskOptions {
  readonly users?: number;
  /** Answer 429 (Retry-After: retryAfterSeconds) to this many requests before serving. */
  readonly rateLimitedRequests?: number;
  readonly retryAfterSeconds?: string;
  /** Repeat the first cursor forever (a broken API, to prove loop detection). */
  readonly stuckCursor?: boolean;
  readonly token?: string;
}

export function startZendesk(options: ZendeskOptions = {}): Promise<Imitation> {
  const users = options.users ?? 7;
  let limited = options.rateLimitedRequests ?? 0;
  return startImitation((req, res, url) => {
    if (req.headers.authorization !== `Bearer ${options.token ?? "zd-token"}`)
      return sendJson(res, 401, { error: "Couldn't authenticate you" });
    if (limited > 0) {
      limited -= 1;
      return sendJson(res, 429, { error: "APIRateLimitExceeded" }, { "retry-after": options.retryAfterSeconds ?? "0" });
    }
    if (url.pathname !== "/api/v2/search/export") return sendJson(res, 404, { error: "InvalidEndpoint" });
    const size = Number(url.searchParams.get("page[size]") ?? "3");
    const after = url.searchParams.get("page[after]");
    const start = options.stuckCursor ? 0 : after ? Number(Buffer.from(after, "base64url").toString()) : 0;
    const results = Array.from({ length: Math.max(0, Math.min(size, users - start)) }, (_, k) => ({
      id: 1000 + start + k,
      name: `User ${start + k}`,
      email: `u${start + k}@example.com`,
      result_type: "user",
    }));
    const next = start + results.length;
    const hasMore = next < users;
    const cursor = Buffer.from(String(options.stuckCursor ? 3 : next)).toString("base64url");
    sendJson(res, 200, {
      results,
      facets: null,
      meta: { has_more: hasMore, after_cursor: hasMore || options.stuckCursor ? cursor : null, before_cursor: null },
      links: { next: hasMore ? `http://${req.headers.host}${url.pathname}?page[after]=${cursor}` : null, prev: null },
    });
  });
}
