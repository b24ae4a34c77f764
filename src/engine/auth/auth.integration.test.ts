// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
/** Auth against local servers: OAuth2 refresh and rotation, API keys, testAuthorization, and redaction per auth type. */
import { describe, expect, it } from "vitest";
import {
  basicAuthSpec,
  collect,
  connectionSpec,
  imitations,
  keyAuthSpec,
  oauthAuthSpec,
  sendJson,
  startEcho,
  startImitation,
  startMailchimp,
  startOAuthProvider,
  startPagedApi,
  startPointerApi,
} from "../../../test/imitation-apis/index.ts";
import { explainFirstRequest, type ReadRequest } from "../read.ts";
import { testAuthorization } from "./test-authorization.ts";
import type { RotatedCredentials } from "./types.ts";

const serve = imitations();

const itemsSpec = (host: string, authSpec: unknown[], path = "/api/items") =>
  connectionSpec(
    { urlParams: { host, path, method: "GET" }, contentPath: "$.items", paginationParams: { type: "NONE" } },
    authSpec,
  );

/** Credentials whose access token expired at the start of 2024 (the reads' clock says later). */
const staleCredentials = (url: string, extra: Record<string, unknown> = {}) => ({
  accessToken: "at-stale",
  refreshToken: "rt-0",
  clientId: "cid",
  clientSecret: "csecret-xyz",
  accessTokenUrl: `${url}/oauth/token`,
  expirationDate: "2024-01-01T00:00:00Z",
  ...extra,
});
const later = () => new Date("2024-01-01T00:10:00Z");

describe("OAuth2RefreshCode against a provider with short-lived access and rotating refresh tokens", () => {
  it("refreshes before expirationDate and hands the rotated refresh token and expiry to the callback", async () => {
    const api = await serve(startOAuthProvider({ expiresIn: 60 }));
    const rotated: RotatedCredentials[] = [];
    const { records, summary, log } = await collect({
      spec: itemsSpec(api.url, oauthAuthSpec),
      auth: staleCredentials(api.url),
      params: {},
      now: later,
      onCredentialsRotated: (c) => void rotated.push(c),
    });
    expect(records).toHaveLength(5);
    expect(summary).toMatchObject({ requests: 1, stopReason: "single-page" });
    expect(rotated).toEqual([
      { accessToken: "at-1-fresh", refreshToken: "rt-1-rotated", expirationDate: "2024-01-01T00:11:00.000Z" },
    ]);
    const form = new URLSearchParams(api.stats.log[0]?.body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: "refresh_token",
      refresh_token: "rt-0",
      client_id: "cid",
      client_secret: "csecret-xyz",
    });
    expect(log.map((e) => [e.kind, e.method, e.status])).toEqual([
      ["token", "POST", 200],
      ["page", "GET", 200],
    ]);
  });

  it("refreshes once on a 401 and retries that request once", async () => {
    const api = await serve(startOAuthProvider());
    const { records, summary } = await collect({
      spec: itemsSpec(api.url, oauthAuthSpec),
      auth: staleCredentials(api.url, { expirationDate: "2999-01-01T00:00:00Z" }),
      params: {},
    });
    expect(records).toHaveLength(5);
    expect(summary.requests).toBe(2);
    expect(api.tokenCalls()).toBe(1);
  });

  it("fails with an auth error when the retried request is rejected again (no refresh loop)", async () => {
    const api = await serve(
      startImitation((_req, res, url) =>
        url.pathname === "/oauth/token"
          ? sendJson(res, 200, { access_token: "at-new", expires_in: 3600 })
          : sendJson(res, 401, { error: "invalid_token" }),
      ),
    );
    const { error, summary } = await collect({
      spec: itemsSpec(api.url, oauthAuthSpec),
      auth: staleCredentials(api.url, { expirationDate: undefined }),
      params: {},
    });
    expect(error).toMatchObject({ kind: "auth", status: 401 });
    expect(summary.requests).toBe(2);
    expect(api.stats.log.filter((r) => r.url === "/oauth/token")).toHaveLength(1);
  });

  it("reports a refresh the provider refuses (invalid_grant) as an auth error", async () => {
    const api = await serve(startOAuthProvider({ initialRefreshToken: "rt-other" }));
    const { error, records } = await collect({
      spec: itemsSpec(api.url, oauthAuthSpec),
      auth: staleCredentials(api.url),
      params: {},
      now: later,
    });
    expect(records).toEqual([]);
    expect(error).toMatchObject({ kind: "auth", status: 400 });
    expect(error?.message).toMatch(/Token refresh at .*\/oauth\/token failed.*invalid_grant/);
  });

  it("coalesces concurrent refreshes of one shared credential object into one call and one hand-over", async () => {
    const api = await serve(startOAuthProvider({ tokenDelayMs: 50 }));
    const shared = staleCredentials(api.url);
    const rotated: RotatedCredentials[] = [];
    const read = () =>
      collect({
        spec: itemsSpec(api.url, oauthAuthSpec),
        auth: shared,
        params: {},
        now: later,
        onCredentialsRotated: (c) => void rotated.push(c),
      });
    const reads = await Promise.all([read(), read(), read()]);
    expect(reads.map((r) => r.records.length)).toEqual([5, 5, 5]);
    expect(api.tokenCalls()).toBe(1);
    expect(rotated.map((c) => c.refreshToken)).toEqual(["rt-1-rotated"]);
    // A later read that still holds the stale object uses the rotated tokens, not the dead rt-0.
    const again = await read();
    expect(again.records).toHaveLength(5);
    expect(api.tokenCalls()).toBe(1);
    expect(rotated).toHaveLength(1);
  });

  it("when the persistence callback fails: the read fails, the tokens stay, and the next read hands them over", async () => {
    const api = await serve(startOAuthProvider());
    const failing = await collect({
      spec: itemsSpec(api.url, oauthAuthSpec),
      auth: staleCredentials(api.url),
      params: {},
      now: later,
      onCredentialsRotated: (c) => {
        throw new Error(`database is down, could not store ${c.refreshToken}`);
      },
    });
    expect(failing.records).toEqual([]);
    expect(failing.error?.kind).toBe("auth");
    expect(failing.error?.message).toMatch(
      /onCredentialsRotated failed \(database is down, could not store \[REDACTED\]\)/,
    );
    expect(failing.summary.requests).toBe(0);

    const saved: RotatedCredentials[] = [];
    const retry = await collect({
      spec: itemsSpec(api.url, oauthAuthSpec),
      auth: staleCredentials(api.url),
      params: {},
      now: later,
      onCredentialsRotated: (c) => void saved.push(c),
    });
    expect(retry.records).toHaveLength(5);
    expect(saved.map((c) => c.refreshToken)).toEqual(["rt-1-rotated"]);
    expect(api.tokenCalls()).toBe(1);
  });

  it("keeps the refresh token when the provider does not rotate it", async () => {
    const api = await serve(
      startImitation((req, res, url) => {
        if (url.pathname === "/oauth/token")
          return sendJson(res, 200, { access_token: `at-${new URLSearchParams(req.body).get("refresh_token")}` });
        return req.headers.authorization === "Bearer at-rt-0"
          ? sendJson(res, 200, { items: [{ id: 1 }] })
          : sendJson(res, 401, {});
      }),
    );
    const rotated: RotatedCredentials[] = [];
    const { records } = await collect({
      spec: itemsSpec(api.url, oauthAuthSpec),
      auth: staleCredentials(api.url),
      params: {},
      now: later,
      onCredentialsRotated: (c) => void rotated.push(c),
    });
    expect(records).toEqual([{ items: { id: 1 } }]);
    expect(rotated).toEqual([{ accessToken: "at-rt-0" }]);
  });

  it("uses GET and the renamed fields of requestParameterOverride", async () => {
    const api = await serve(
      startImitation((req, res, url) => {
        if (url.pathname === "/token") {
          const q = url.searchParams;
          const ok =
            req.method === "GET" &&
            q.get("grant_type") === "refresh_token" &&
            q.get("appId") === "cid" &&
            q.get("appSecret") === "s3cr3t-value";
          return ok ? sendJson(res, 200, { tok: "new-token", rt: "refresh-2", ttl: 100 }) : sendJson(res, 400, {});
        }
        return req.headers.authorization === "Bearer new-token"
          ? sendJson(res, 200, { items: [{ id: 1 }] })
          : sendJson(res, 401, {});
      }),
    );
    const rotated: RotatedCredentials[] = [];
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
        refreshTokenField: "rt",
        expireInField: "ttl",
      },
    };
    const { records, log } = await collect({
      spec: itemsSpec(api.url, oauthAuthSpec),
      auth,
      params: {},
      now: () => new Date("2024-01-01T00:00:00Z"),
      onCredentialsRotated: (c) => void rotated.push(c),
    });
    expect(records).toEqual([{ items: { id: 1 } }]);
    expect(rotated).toEqual([
      { accessToken: "new-token", refreshToken: "refresh-2", expirationDate: "2024-01-01T00:01:40.000Z" },
    ]);
    const text = JSON.stringify(log);
    for (const secret of ["old-token-value", "new-token", "s3cr3t-value", "refresh-value", "refresh-2"])
      expect(text).not.toContain(secret);
  });
});

describe("KeyBased", () => {
  it("sends authKeyN in the header named by headerParamName", async () => {
    const key = "k3y-Secret-123";
    const api = await serve(startPagedApi({ items: 3, apiKey: key }));
    const spec = itemsSpec(api.url, keyAuthSpec({ headerParamName: "x-api-key" }), "/items");
    spec.sourceSpec.attributes.contentPath = "$.data";
    const { records } = await collect({ spec, auth: { authKey1: key }, params: {} });
    expect(records).toHaveLength(3);
    expect(api.stats.log[0]?.headers["x-api-key"]).toBe(key);
  });

  it("sends a queryParamName key in the query of every page, and still detects a pointer loop", async () => {
    const api = await serve(startPointerApi({ loop: true }));
    const spec = connectionSpec(
      {
        urlParams: { host: api.url, path: "/v1/things", method: "GET" },
        contentPath: "$.data",
        paginationParams: { type: "POINTER", limitName: "limit", limitValue: 4, pointerPath: "$.paging.next" },
      },
      keyAuthSpec({ queryParamName: "api_key" }),
    );
    const { error, log } = await collect({ spec, auth: { authKey1: "qk-secret-1" }, params: {} });
    expect(error?.kind).toBe("loop");
    expect(api.stats.log.map((r) => new URL(r.url, "http://x").searchParams.get("api_key"))).toEqual([
      "qk-secret-1",
      "qk-secret-1",
    ]);
    expect(log[1]?.url).toMatch(/api_key=%5BREDACTED%5D|api_key=\[REDACTED\]/);
  });

  it("treats a key without restAttributes as a placeholder value only", async () => {
    const api = await serve(startEcho(200));
    const spec = connectionSpec(
      {
        urlParams: { host: api.url, path: "/x", method: "GET" },
        headerParams: { "X-Custom": "token ${authKey1}" },
        contentPath: "$.items",
      },
      keyAuthSpec({}),
    );
    const { records } = await collect({ spec, auth: { authKey1: "pk-secret-1" }, params: {} });
    expect(records).toHaveLength(1);
    expect(api.stats.log[0]?.headers["x-custom"]).toBe("token pk-secret-1");
    expect(Object.keys(api.stats.log[0]?.headers ?? {})).not.toContain("authkey1");
  });
});

describe("testAuthorization", () => {
  it("passes on a 2xx (refreshing first when the token expired) and explains a failure", async () => {
    const api = await serve(startOAuthProvider());
    const good = await testAuthorization({
      spec: itemsSpec(api.url, oauthAuthSpec),
      auth: staleCredentials(api.url, { authorizationTestUrl: `${api.url}/api/items` }),
      now: later,
    });
    expect(good).toEqual({ ok: true, status: 200 });
    expect(api.tokenCalls()).toBe(1);
    const bad = await testAuthorization({
      spec: itemsSpec(api.url, oauthAuthSpec),
      auth: staleCredentials(api.url, { authorizationTestUrl: `${api.url}/missing`, refreshToken: "rt-1-rotated" }),
      now: later,
    });
    expect(bad).toMatchObject({ ok: false, status: 404 });
    expect(bad.reason).toMatch(/GET .*\/missing answered 404: .*not_found/);
  });

  it("says why Basic credentials fail, with the status, and never shows them", async () => {
    const api = await serve(startMailchimp({ apiKey: "right-key" }));
    const result = await testAuthorization({
      spec: itemsSpec(api.url, basicAuthSpec),
      auth: { username: "u", password: "wrong-key-123", authorizationTestUrl: "${host}/3.0/ping", host: api.url },
    });
    expect(result).toMatchObject({ ok: false, status: 401 });
    expect(result.reason).toContain("API Key Missing");
    expect(JSON.stringify(result)).not.toContain("wrong-key-123");
  });

  it("passes KeyBased keys and reports a network failure as the reason", async () => {
    const api = await serve(startPagedApi({ apiKey: "kb-key-1" }));
    const spec = itemsSpec(api.url, keyAuthSpec({ headerParamName: "x-api-key" }));
    expect(
      await testAuthorization({ spec, auth: { authKey1: "kb-key-1", authorizationTestUrl: `${api.url}/items` } }),
    ).toEqual({ ok: true, status: 200 });
    const down = await testAuthorization({
      spec,
      auth: { authKey1: "kb-key-1", authorizationTestUrl: "http://127.0.0.1:9/ping" },
      http: { maxRetries: 0 },
    });
    expect(down.ok).toBe(false);
    expect(down.reason).toMatch(/ECONNREFUSED/);
    expect(await testAuthorization({ spec, auth: { authKey1: "k" } })).toMatchObject({ ok: true });
  });
});

/**
 * The proof of point 6 for each auth type: the API echoes the whole request (URL, headers, body)
 * in its error, then the secrets must appear nowhere the engine writes: the request log, the
 * error (message, excerpt, URL), retry events, and explainFirstRequest.
 */
describe("secrets never leave the engine", () => {
  function everythingSaid(result: Awaited<ReturnType<typeof collect>>, request: ReadRequest): string {
    const { error } = result;
    return JSON.stringify({
      log: result.log,
      events: result.events,
      error: { message: error?.message, excerpt: error?.bodyExcerpt, url: error?.url },
      explain: explainFirstRequest(request),
    });
  }
  const echoSpec = (host: string, authSpec: unknown[], extra: Record<string, unknown> = {}) =>
    connectionSpec(
      {
        urlParams: { host, path: "/x", method: "GET", queryParams: { sig: "${signature}" } },
        contentPath: "$.items",
        ...extra,
      },
      authSpec,
    );
  const sourceSecret = { signature: "src-Secret/+9" };
  const withSecretParam = (spec: ReturnType<typeof echoSpec>) => {
    spec.sourceSpec.spec = { properties: { signature: { type: "string", format: "password" } } } as never;
    return spec;
  };

  it("BasicAuthentication: password, base64 credentials and password-format source params", async () => {
    const api = await serve(startEcho(500));
    const request = {
      spec: withSecretParam(echoSpec(api.url, basicAuthSpec)),
      auth: { username: "user", password: "b4sic-Pass-word" },
      params: sourceSecret,
    };
    const result = await collect(request);
    expect(result.error).toMatchObject({ kind: "upstream", status: 500 });
    expect(api.stats.log[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("user:b4sic-Pass-word").toString("base64")}`,
    );
    const said = everythingSaid(result, request);
    for (const secret of ["b4sic-Pass-word", Buffer.from("user:b4sic-Pass-word").toString("base64"), "src-Secret/+9"]) {
      expect(said).not.toContain(secret);
      expect(said).not.toContain(encodeURIComponent(secret));
    }
    expect(said).toContain("[REDACTED]");
  });

  it("KeyBased: keys in a header and in the query", async () => {
    const api = await serve(startEcho(403));
    const authSpec = [
      {
        name: "API Key Authentication",
        type: "KeyBased",
        spec: {
          properties: {
            authKey1: { type: "string", format: "password", restAttributes: { headerParamName: "X-Auth-Key1" } },
            authKey2: { type: "string", format: "password", restAttributes: { queryParamName: "key2" } },
          },
        },
      },
    ];
    const request = {
      spec: withSecretParam(echoSpec(api.url, authSpec)),
      auth: { authKey1: "header-Key-111", authKey2: "query-Key-222" },
      params: sourceSecret,
    };
    const result = await collect(request);
    expect(result.error).toMatchObject({ kind: "auth", status: 403 });
    expect(api.stats.log[0]?.url).toContain("key2=query-Key-222");
    const said = everythingSaid(result, request);
    for (const secret of ["header-Key-111", "query-Key-222", "src-Secret/+9"]) expect(said).not.toContain(secret);
  });

  it("OAuth2RefreshCode: old and rotated tokens, refresh token and client secret", async () => {
    let calls = 0;
    const api = await serve(
      startImitation((req, res, url) => {
        if (url.pathname === "/oauth/token") {
          calls += 1;
          return sendJson(res, 200, {
            access_token: `at-Rotated-${calls}`,
            refresh_token: `rt-Rotated-${calls}`,
            expires_in: 3600,
          });
        }
        const echo = { url: req.url, headers: req.headers };
        // A retryable failure first (retry events carry the URL), then an echo of the rotated token.
        return req.headers.authorization === "Bearer at-Rotated-1"
          ? sendJson(res, calls++ === 1 ? 503 : 404, { error: "nope", echo })
          : sendJson(res, 401, { error: "expired", echo });
      }),
    );
    const request = {
      spec: withSecretParam(echoSpec(api.url, oauthAuthSpec)),
      auth: {
        accessToken: "at-Original-0",
        refreshToken: "rt-Original-0",
        clientId: "client-1",
        clientSecret: "client-Secret-0",
        accessTokenUrl: `${api.url}/oauth/token`,
      },
      params: sourceSecret,
    };
    const result = await collect(request);
    expect(result.error).toMatchObject({ kind: "upstream", status: 404 });
    expect(result.events.some((e) => e.type === "retry")).toBe(true);
    const said = everythingSaid(result, request);
    for (const secret of [
      "at-Original-0",
      "rt-Original-0",
      "client-Secret-0",
      "at-Rotated-1",
      "rt-Rotated-1",
      "src-Secret/+9",
    ])
      expect(said).not.toContain(secret);
    expect(result.log.map((e) => e.kind)).toEqual(["page", "token", "page"]);
  });
});
