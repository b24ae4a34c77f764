// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
import { afterEach, describe, expect, it } from "vitest";
import { startMailchimp } from "../../test/imitation-apis/mailchimp.ts";
import { startOAuthProvider } from "../../test/imitation-apis/oauth.ts";
import { startPagedApi, startPointerApi } from "../../test/imitation-apis/paged.ts";
import { type Imitation, sendJson, startImitation } from "../../test/imitation-apis/server.ts";
import { startZendesk } from "../../test/imitation-apis/zendesk.ts";
import { testAuthorization } from "./auth/test-authorization.ts";
import type { EngineError } from "./errors.ts";
import { explainFirstRequest, type ReadRequest, readRecords } from "./read.ts";

const fast = {
  maxRetries: 3,
  backoffBaseMs: 5,
  backoffMaxMs: 20,
  retryAfterCapMs: 50,
  headersTimeoutMs: 300,
  bodyTimeoutMs: 300,
};
const servers: Imitation[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function serve<T extends Imitation>(p: Promise<T>): Promise<T> {
  const s = await p;
  servers.push(s);
  return s;
}

const basicAuthSpec = [
  {
    name: "Basic Authentication",
    type: "BasicAuthentication",
    spec: { properties: { username: {}, password: { format: "password" } } },
  },
];
const keyAuthSpec = [
  {
    name: "API Key",
    type: "KeyBased",
    spec: { properties: { authKey1: { format: "password", restAttributes: { headerParamName: "x-api-key" } } } },
  },
];
const oauthAuthSpec = [{ name: "OAuth2 Refresh Code", type: "OAuth2RefreshCode", spec: { properties: {} } }];

function spec(attributes: Record<string, unknown>, authSpec: unknown[] = []) {
  return { authSpec, sourceSpec: { attributes, spec: { properties: { listId: { type: "string" } } } } };
}

async function collect(request: ReadRequest) {
  const handle = readRecords({ http: fast, ...request });
  const records: Record<string, unknown>[] = [];
  let error: unknown;
  try {
    for await (const r of handle) records.push(r);
  } catch (e) {
    error = e;
  }
  return { records, summary: handle.summary(), log: handle.requestLog, error: error as EngineError | undefined };
}

const membersSpec = (host: string) =>
  spec(
    {
      urlParams: { host, path: "/3.0/lists/${listId}/members", method: "GET" },
      contentPath: {
        path: "$.members",
        skipAttributes: ["_links", "total_items", "list_id"],
        overrideWrapperAttribute: "member",
      },
      paginationParams: { type: "OFFSET", limitName: "count", limitValue: "10", offSetName: "offset" },
    },
    basicAuthSpec,
  );

describe("Mailchimp members (OFFSET, Basic)", () => {
  it("reads every member across pages and stops on the short last page", async () => {
    const api = await serve(startMailchimp({ members: 25 }));
    const { records, summary } = await collect({
      spec: membersSpec(api.url),
      auth: { username: "any", password: "key-us6" },
      params: { listId: "L1" },
    });
    expect(records).toHaveLength(25);
    expect(records[24]).toMatchObject({ member: { id: "m24", merge_fields: { FNAME: "First24" } } });
    expect(summary).toMatchObject({ pages: 3, requests: 3, stopReason: "short-page" });
    expect(api.stats.log.map((r) => r.url)).toEqual([
      "/3.0/lists/L1/members?count=10&offset=0",
      "/3.0/lists/L1/members?count=10&offset=10",
      "/3.0/lists/L1/members?count=10&offset=20",
    ]);
  });

  it("stops on an empty page when the last page is exactly full", async () => {
    const api = await serve(startMailchimp({ members: 20 }));
    const { records, summary } = await collect({
      spec: membersSpec(api.url),
      auth: { username: "u", password: "key-us6" },
      params: { listId: "L1" },
    });
    expect(records).toHaveLength(20);
    expect(summary.stopReason).toBe("empty-page");
  });

  it("ends at once on an empty first page", async () => {
    const api = await serve(startMailchimp({ members: 0 }));
    const { records, summary } = await collect({
      spec: membersSpec(api.url),
      auth: { username: "u", password: "key-us6" },
      params: { listId: "L1" },
    });
    expect(records).toEqual([]);
    expect(summary).toMatchObject({ requests: 1, stopReason: "empty-page" });
  });

  it("honours an OFFSET end condition with the Const: prefix", async () => {
    const api = await serve(
      startImitation((_req, res, url) => {
        const offset = Number(url.searchParams.get("start"));
        sendJson(res, 200, { rows: [{ n: offset }, { n: offset + 1 }], hasMore: offset < 2 });
      }),
    );
    const s = spec({
      urlParams: { host: api.url, path: "/rows", method: "GET" },
      contentPath: "$.rows",
      paginationParams: {
        type: "OFFSET",
        limitName: "n",
        limitValue: 2,
        offsetName: "start",
        endConditionName: "$.hasMore",
        endConditionValue: "Const:false",
      },
    });
    const { records, summary } = await collect({ spec: s, auth: {}, params: {} });
    expect(records).toHaveLength(4);
    expect(summary.stopReason).toBe("end-condition");
  });

  it("fails naming an unresolved placeholder before any request", async () => {
    const api = await serve(startMailchimp());
    const { error, summary } = await collect({
      spec: membersSpec(api.url),
      auth: { username: "u", password: "key-us6" },
      params: {},
    });
    expect(error?.kind).toBe("params");
    expect(error?.message).toContain('"listId"');
    expect(api.stats.requests).toBe(0);
    expect(summary.stopReason).toBe("error");
  });

  it("never shows the Basic password in the log, errors or explain output", async () => {
    const api = await serve(startMailchimp({ apiKey: "another" }));
    const secret = "key-us6-SECRET";
    const req = { spec: membersSpec(api.url), auth: { username: "u", password: secret }, params: { listId: "L1" } };
    const { error, log } = await collect(req);
    expect(error?.status).toBe(401);
    const text = JSON.stringify({ log, message: error?.message, explain: explainFirstRequest(req) });
    expect(text).not.toContain(secret);
    expect(text).not.toContain(Buffer.from(`u:${secret}`).toString("base64"));
  });
});

describe("Mailchimp email activity (explode)", () => {
  it("emits one record per activity with the email wrapper", async () => {
    const api = await serve(startMailchimp({ emails: 3, activitiesPerEmail: 2 }));
    const s = spec(
      {
        urlParams: { host: api.url, path: "/3.0/reports/${campaignId}/email-activity", method: "GET" },
        contentPath: {
          path: "$.emails",
          overrideWrapperAttribute: "email",
          skipAttributes: ["_links", "total_items", "campaign_id"],
        },
        explodeEntityPath: { path: "$.email.activity", overrideWrapperAttribute: "activity" },
        paginationParams: { type: "OFFSET", limitName: "count", limitValue: "2", offSetName: "offset" },
      },
      basicAuthSpec,
    );
    const { records, summary } = await collect({
      spec: s,
      auth: { username: "u", password: "key-us6" },
      params: { campaignId: "C1" },
    });
    expect(records).toHaveLength(6);
    expect(records[1]).toMatchObject({ email: { email_id: "e0", activity: { action: "click" } } });
    expect(summary.stopReason).toBe("short-page");
  });
});

const zendeskSpec = (host: string, extra: Record<string, unknown> = {}) =>
  spec(
    {
      urlParams: {
        host,
        path: "/api/v2/search/export",
        method: "GET",
        queryParams: "query=type:user,filter[type]=user",
      },
      contentPath: { path: "$.results", skipAttributes: ["facets"] },
      paginationParams: {
        type: "CONTINUATION_TOKEN",
        continuationTokenPath: "$.meta.after_cursor",
        parameterType: "QUERYPARAM",
        parameterName: "page[after]",
        limitName: "page[size]",
        limitValue: 3,
        ...extra,
      },
    },
    keyAuthSpec,
  );

describe("Zendesk search export (CONTINUATION_TOKEN)", () => {
  const headerSpec = (host: string) => {
    const s = zendeskSpec(host);
    s.sourceSpec.attributes.headerParams = { Authorization: "Bearer ${zdToken}" };
    s.authSpec = [];
    return s;
  };

  it("follows after_cursor until it is null, keeping meta and links siblings", async () => {
    const api = await serve(startZendesk({ users: 7 }));
    const { records, summary } = await collect({
      spec: headerSpec(api.url),
      auth: {},
      params: { zdToken: "zd-token" },
    });
    expect(records.map((r) => (r.results as { id: number }).id)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006]);
    expect(records[0]).toHaveProperty("meta.has_more", true);
    expect(records[0]).not.toHaveProperty("facets");
    expect(summary.stopReason).toBe("no-next-token");
    expect(api.stats.log[0]?.url).toContain("query=type%3Auser");
  });

  it("waits out 429s with Retry-After and succeeds", async () => {
    const api = await serve(startZendesk({ users: 2, rateLimitedRequests: 2, retryAfterSeconds: "0" }));
    const events: string[] = [];
    const { records, summary } = await collect({
      spec: headerSpec(api.url),
      auth: {},
      params: { zdToken: "zd-token" },
      onEvent: (e) => events.push(e.type),
    });
    expect(records).toHaveLength(2);
    expect(summary.retries).toBe(2);
    expect(events.filter((t) => t === "retry")).toHaveLength(2);
  });

  it("gives up after a bounded 429 storm with status and URL", async () => {
    const api = await serve(startZendesk({ rateLimitedRequests: 1000, retryAfterSeconds: "120" }));
    const t0 = Date.now();
    const { error, summary } = await collect({ spec: headerSpec(api.url), auth: {}, params: { zdToken: "zd-token" } });
    expect(error?.status).toBe(429);
    expect(error?.url).toContain("/api/v2/search/export");
    expect(api.stats.requests).toBe(4);
    expect(summary.stopReason).toBe("error");
    expect(Date.now() - t0).toBeLessThan(2000); // Retry-After 120 s was capped
  });

  it("detects a repeated token as a loop", async () => {
    const api = await serve(startZendesk({ users: 50, stuckCursor: true }));
    const { error, records } = await collect({ spec: headerSpec(api.url), auth: {}, params: { zdToken: "zd-token" } });
    expect(error?.kind).toBe("loop");
    expect(records.length).toBe(6);
  });

  it("sends KeyBased keys in the named header and never logs them", async () => {
    const key = "k3y-Secret-123";
    const api = await serve(startPagedApi({ items: 3, apiKey: key }));
    const s = spec(
      {
        urlParams: { host: api.url, path: "/items", method: "GET" },
        contentPath: "$.data",
        paginationParams: { type: "NONE" },
      },
      keyAuthSpec,
    );
    const ok = await collect({ spec: s, auth: { authKey1: key }, params: {} });
    expect(ok.records).toHaveLength(3);
    const bad = await collect({ spec: s, auth: { authKey1: `${key}-wrong` }, params: {} });
    expect(bad.error?.status).toBe(403);
    expect(
      JSON.stringify({
        l: ok.log,
        b: bad.log,
        m: bad.error?.message,
        e: explainFirstRequest({ spec: s, auth: { authKey1: key }, params: {} }),
      }),
    ).not.toContain(key);
  });
});

describe("more CONTINUATION_TOKEN and redaction", () => {
  it("sends the token in a header for HEADERPARAM", async () => {
    const api = await serve(
      startImitation((req, res) => {
        const cursor = req.headers["x-cursor"];
        sendJson(res, 200, cursor === "c2" ? { rows: [{ n: 2 }], next: null } : { rows: [{ n: 1 }], next: "c2" });
      }),
    );
    const s = spec({
      urlParams: { host: api.url, path: "/rows", method: "GET" },
      contentPath: "$.rows",
      paginationParams: {
        type: "CONTINUATION_TOKEN",
        continuationTokenPath: "$.next",
        parameterType: "HEADERPARAM",
        parameterName: "x-cursor",
        delayRequestMillis: "5",
      },
    });
    const { records, summary } = await collect({ spec: s, auth: {}, params: {} });
    expect(records.map((r) => r.rows)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(summary.stopReason).toBe("no-next-token");
  });

  it("redacts a password-format source param that lands in the URL", async () => {
    const api = await serve(startImitation((_q, res) => sendJson(res, 500, { echo: "token=tok/en+secret" })));
    const s = {
      authSpec: [],
      sourceSpec: {
        attributes: {
          urlParams: { host: api.url, path: "/x", method: "GET", queryParams: { token: "${token}" } },
          contentPath: "$.items",
          paginationParams: { type: "NONE" },
        },
        spec: { properties: { token: { type: "string", format: "password" } } },
      },
    };
    const { error, log } = await collect({
      spec: s,
      auth: {},
      params: { token: "tok/en+secret" },
      http: { ...fast, maxRetries: 0 },
    });
    const text = JSON.stringify({ log, m: error?.message, b: error?.bodyExcerpt, u: error?.url });
    expect(text).not.toContain("tok/en+secret");
    expect(text).not.toContain(encodeURIComponent("tok/en+secret"));
    expect(text).toContain("[REDACTED]");
  });
});

describe("PAGE and POINTER", () => {
  it("stops once x-pagecount pages are read", async () => {
    const api = await serve(startPagedApi({ items: 8 }));
    const s = spec({
      urlParams: { host: api.url, path: "/items", method: "GET" },
      contentPath: "$.data",
      paginationParams: {
        type: "PAGE",
        limitName: "pageSize",
        limitValue: "4",
        pageParamName: "pageNumber",
        initialPageIndex: 1,
        endPageIndex: "headers.x-pagecount",
      },
    });
    const { records, summary } = await collect({ spec: s, auth: {}, params: {} });
    expect(records).toHaveLength(8);
    expect(summary).toMatchObject({ requests: 2, stopReason: "end-page-index" });
  });

  it("caps requests with maximumRequest", async () => {
    const api = await serve(startPagedApi({ items: 100 }));
    const s = spec({
      urlParams: { host: api.url, path: "/items", method: "GET" },
      contentPath: "$.data",
      paginationParams: {
        type: "PAGE",
        limitName: "pageSize",
        limitValue: 4,
        pageParamName: "pageNumber",
        initialPageIndex: 1,
        maximumRequest: "3",
      },
    });
    const { summary } = await collect({ spec: s, auth: {}, params: {} });
    expect(summary).toMatchObject({ requests: 3, stopReason: "maximum-request" });
  });

  it.each([false, true])("follows paging.next (relative=%s) until it disappears", async (relative) => {
    const api = await serve(startPointerApi({ items: 9, relative }));
    const s = spec({
      urlParams: { host: api.url, path: "/v1/things", method: "GET" },
      contentPath: "$.data",
      paginationParams: { type: "POINTER", limitName: "limit", limitValue: 4, pointerPath: "paging.next" },
    });
    const { records, summary } = await collect({ spec: s, auth: {}, params: {} });
    expect(records).toHaveLength(9);
    expect(summary.stopReason).toBe("no-next-token");
  });

  it("detects a pointer that leads back to a fetched URL", async () => {
    const api = await serve(startPointerApi({ loop: true }));
    const s = spec({
      urlParams: { host: api.url, path: "/v1/things", method: "GET" },
      contentPath: "$.data",
      paginationParams: { type: "POINTER", limitName: "limit", limitValue: 4, pointerPath: "$.paging.next" },
    });
    const { error } = await collect({ spec: s, auth: {}, params: {} });
    expect(error?.kind).toBe("loop");
  });
});

describe("OAuth2 refresh", () => {
  const oauthSpec = (host: string) =>
    spec(
      {
        urlParams: { host, path: "/api/items", method: "GET" },
        contentPath: "$.items",
        paginationParams: { type: "NONE" },
      },
      oauthAuthSpec,
    );
  const creds = (url: string, extra: Record<string, unknown> = {}) => ({
    accessToken: "at-stale",
    refreshToken: "rt-0",
    clientId: "cid",
    clientSecret: "csecret-xyz",
    accessTokenUrl: `${url}/oauth/token`,
    expirationDate: "2024-01-01T00:00:00Z",
    ...extra,
  });

  it("refreshes before expiry and hands the rotated refresh token over", async () => {
    const api = await serve(startOAuthProvider({ expiresIn: 60 }));
    const rotated: unknown[] = [];
    const now = () => new Date("2024-01-01T00:10:00Z");
    const { records, summary } = await collect({
      spec: oauthSpec(api.url),
      auth: creds(api.url),
      params: {},
      now,
      onCredentialsRotated: (c) => void rotated.push(c),
    });
    expect(records).toHaveLength(5);
    expect(summary.stopReason).toBe("single-page");
    expect(rotated).toEqual([
      { accessToken: "at-1-fresh", refreshToken: "rt-1-rotated", expirationDate: "2024-01-01T00:11:00.000Z" },
    ]);
  });

  it("refreshes once on a 401 and retries the request", async () => {
    const api = await serve(startOAuthProvider());
    const { records, summary } = await collect({
      spec: oauthSpec(api.url),
      auth: creds(api.url, { expirationDate: "2999-01-01T00:00:00Z" }),
      params: {},
    });
    expect(records).toHaveLength(5);
    expect(summary.requests).toBe(2);
    expect(api.tokenCalls()).toBe(1);
  });

  it("coalesces concurrent refreshes of one credential into one call", async () => {
    const api = await serve(startOAuthProvider({ tokenDelayMs: 100 }));
    const reads = await Promise.all(
      [1, 2, 3].map(() => collect({ spec: oauthSpec(api.url), auth: creds(api.url), params: {} })),
    );
    expect(reads.map((r) => r.records.length)).toEqual([5, 5, 5]);
    expect(api.tokenCalls()).toBe(1);
  });

  it("uses GET and renamed client fields from requestParameterOverride", async () => {
    const api = await serve(
      startImitation((req, res, url) => {
        if (url.pathname === "/token") {
          const ok =
            req.method === "GET" &&
            url.searchParams.get("appId") === "cid" &&
            url.searchParams.get("appSecret") === "s3cr3t-value";
          return ok ? sendJson(res, 200, { tok: "new-token", ttl: 100 }) : sendJson(res, 400, { error: "bad" });
        }
        return req.headers.authorization === "Bearer new-token"
          ? sendJson(res, 200, { items: [{ id: 1 }] })
          : sendJson(res, 401, {});
      }),
    );
    const auth = {
      accessToken: "old-token-value",
      refreshToken: "refresh-value",
      clientId: "cid",
      clientSecret: "s3cr3t-value",
      accessTokenUrl: `${api.url}/token`,
      requestParameterOverride: {
        authenticationMethod: "GET",
        clientId: "appId",
        clientSecret: "appSecret",
        accessTokenField: "tok",
        expireInField: "ttl",
      },
    };
    const { records, log } = await collect({ spec: oauthSpec(api.url), auth, params: {} });
    expect(records).toEqual([{ items: { id: 1 } }]);
    const text = JSON.stringify(log);
    for (const secret of ["old-token-value", "new-token", "s3cr3t-value", "refresh-value"])
      expect(text).not.toContain(secret);
  });

  it("testAuthorization passes on 2xx and explains a failure", async () => {
    const api = await serve(startOAuthProvider());
    const good = await testAuthorization({
      spec: oauthSpec(api.url),
      auth: creds(api.url, { authorizationTestUrl: `${api.url}/api/items`, expirationDate: "2999-01-01" }),
    });
    expect(good).toEqual({ ok: true, status: 200 });
    const other = await serve(startOAuthProvider());
    const auth = creds(other.url, {
      accessToken: "at-1-fresh",
      authorizationTestUrl: `${other.url}/missing`,
      expirationDate: "2000-01-01",
    });
    const bad = await testAuthorization({
      spec: oauthSpec(other.url),
      http: fast,
      auth,
      now: () => new Date("1999-01-01"),
    });
    expect(bad.ok).toBe(false);
    expect(bad.reason).toContain("404");
  });
});

describe("HTTP failures", () => {
  const plain = (host: string, path = "/x") =>
    spec({ urlParams: { host, path, method: "GET" }, contentPath: "$.items", paginationParams: { type: "NONE" } });

  it("retries a 500 then succeeds", async () => {
    let n = 0;
    const api = await serve(
      startImitation((_q, res) =>
        n++ === 0 ? sendJson(res, 500, { e: 1 }) : sendJson(res, 200, { items: [{ a: 1 }] }),
      ),
    );
    const { records, summary } = await collect({ spec: plain(api.url), auth: {}, params: {} });
    expect(records).toEqual([{ items: { a: 1 } }]);
    expect(summary.retries).toBe(1);
  });

  it("fails a 404 at once with status, URL and excerpt", async () => {
    const api = await serve(startImitation((_q, res) => sendJson(res, 404, { message: "no such list" })));
    const { error } = await collect({ spec: plain(api.url), auth: {}, params: {} });
    expect(error).toMatchObject({ kind: "upstream", status: 404 });
    expect(error?.bodyExcerpt).toContain("no such list");
    expect(api.stats.requests).toBe(1);
  });

  it("times out a server that stalls", async () => {
    const api = await serve(startImitation(() => undefined));
    const { error } = await collect({ spec: plain(api.url), auth: {}, params: {}, http: { ...fast, maxRetries: 1 } });
    expect(error?.kind).toBe("timeout");
    expect(api.stats.requests).toBe(2);
  });

  it("reports malformed JSON with an excerpt", async () => {
    const api = await serve(startImitation((_q, res) => void res.end('{"items": [1, 2,')));
    const { error } = await collect({ spec: plain(api.url), auth: {}, params: {} });
    expect(error).toMatchObject({ kind: "extraction", status: 200 });
    expect(error?.bodyExcerpt).toContain('{"items"');
  });

  it("decodes gzip, deflate and br bodies", async () => {
    const zlib = await import("node:zlib");
    const body = JSON.stringify({ items: [{ ok: true }] });
    for (const [name, encode] of [
      ["gzip", zlib.gzipSync],
      ["deflate", zlib.deflateSync],
      ["br", zlib.brotliCompressSync],
    ] as const) {
      const api = await serve(
        startImitation((_q, res) => {
          res.writeHead(200, { "content-encoding": name, "content-type": "application/json" });
          res.end(encode(Buffer.from(body)));
        }),
      );
      const { records } = await collect({ spec: plain(api.url), auth: {}, params: {} });
      expect(records).toEqual([{ items: { ok: true } }]);
    }
  });

  it("reads a 20 MB page", async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => ({ id: i, pad: "x".repeat(1000) }));
    const text = JSON.stringify({ items });
    const api = await serve(startImitation((_q, res) => void res.end(text)));
    const { records, summary } = await collect({
      spec: plain(api.url),
      auth: {},
      params: {},
      http: { ...fast, bodyTimeoutMs: 10_000 },
    });
    expect(records).toHaveLength(20_000);
    expect(summary.bytes).toBeGreaterThan(20_000_000);
  });

  it("posts rendered bodyParams as JSON and stops at maxRecords", async () => {
    const api = await serve(startImitation((_q, res) => sendJson(res, 200, { items: [{ a: 1 }, { a: 2 }, { a: 3 }] })));
    const s = spec({
      urlParams: { host: api.url, path: "/search", method: "POST" },
      bodyParams: { filter: { list: "${listId}" } },
      contentPath: "$.items",
      paginationParams: { type: "NONE" },
    });
    const { records, summary } = await collect({ spec: s, auth: {}, params: { listId: "L9" }, maxRecords: 2 });
    expect(records).toHaveLength(2);
    expect(summary.stopReason).toBe("record-limit");
    expect(JSON.parse(api.stats.log[0]?.body ?? "")).toEqual({ filter: { list: "L9" } });
  });
});
