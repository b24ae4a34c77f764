// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
/** Request building (spec §4.1-§4.4), observed through explainFirstRequest, which sends nothing. */
import { describe, expect, it } from "vitest";
import { EngineError } from "./errors.ts";
import { explainFirstRequest, type ReadRequest } from "./read.ts";

const none = { type: "NONE" };

function concrete(attributes: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    authSpec: [],
    sourceSpec: {
      attributes: { contentPath: "$.items", paginationParams: none, ...attributes },
      spec: { properties: { listId: { type: "string" } } },
    },
    ...extra,
  };
}

const explain = (request: Partial<ReadRequest> & { spec: unknown }) =>
  explainFirstRequest({ auth: {}, params: {}, ...request });

function specError(request: Partial<ReadRequest> & { spec: unknown }): EngineError {
  try {
    explain(request);
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error("expected an EngineError");
}

describe("request building", () => {
  it("renders host, path, method, object queryParams and headerParams (concrete layout)", () => {
    const spec = concrete({
      urlParams: {
        host: "https://${domain}.api.mailchimp.com",
        path: "/3.0/lists/${listId}/members",
        method: "get",
        queryParams: { status: "subscribed", since: "${since}" },
      },
      headerParams: { "x-list": "${listId}", Accept: "application/json" },
    });
    const out = explain({ spec, params: { listId: "a/b", since: "2024-01-01 00:00" }, auth: { domain: "us6" } });
    expect(out.method).toBe("GET");
    expect(out.url).toBe(
      "https://us6.api.mailchimp.com/3.0/lists/a%2Fb/members?status=subscribed&since=2024-01-01+00%3A00",
    );
    expect(out.headers).toMatchObject({ "x-list": "a/b", Accept: "application/json" });
  });

  it("takes the host from the auth param host when urlParams has none", () => {
    const spec = concrete({ urlParams: { path: "/v1/items", method: "GET" } });
    expect(explain({ spec, auth: { host: "https://api.example.com/" } }).url).toBe("https://api.example.com/v1/items");
  });

  it("reads the legacy comma strings of queryParams and headerParams", () => {
    const spec = concrete({
      urlParams: { host: "https://h", path: "/search", method: "GET", queryParams: "query=type:user,list=${listId}" },
      headerParams: "X-Trace: abc, X-List: ${listId}",
    });
    const out = explain({ spec, params: { listId: "L1" } });
    expect(new URL(out.url).searchParams.get("query")).toBe("type:user");
    expect(new URL(out.url).searchParams.get("list")).toBe("L1");
    expect(out.headers).toMatchObject({ "X-Trace": "abc", "X-List": "L1" });
  });

  it("accepts the generic template layout: request settings as (JSON string) source params", () => {
    const spec = {
      authSpec: [],
      sourceSpec: {
        attributes: { uiAttributes: { isSource: true } },
        spec: { properties: { urlParams: { type: "object" }, contentPath: { type: "object" } } },
      },
    };
    const out = explain({
      spec,
      params: {
        urlParams: '{"host":"https://h","path":"/v2/${kind}","method":"GET","queryParams":"{\'limit\':\'5\'}"}',
        headerParams: { "x-api-key": "${kind}" },
        contentPath: { path: "$.items" },
        paginationParams: { type: "NONE" },
        kind: "users",
      },
    });
    expect(out.url).toBe("https://h/v2/users?limit=5");
    expect(out.headers["x-api-key"]).toBe("users");
  });

  it("accepts sourceSpec.spec nested inside attributes (and still redacts its password params)", () => {
    const spec = {
      authSpec: [],
      sourceSpec: {
        attributes: {
          urlParams: { host: "https://h", path: "/x", method: "GET", queryParams: { key: "${apiSecretValue}" } },
          contentPath: "$.items",
          spec: { properties: { apiSecretValue: { type: "string", format: "password" } } },
        },
      },
    };
    expect(explain({ spec, params: { apiSecretValue: "s3cret-value" } }).url).toBe("https://h/x?key=[REDACTED]");
  });

  it("sends bodyParams as the JSON body of a POST: an object, a JSON string, or text that renders to JSON", () => {
    const post = (bodyParams: unknown) =>
      explain({
        spec: concrete({ urlParams: { host: "https://h", path: "/q", method: "POST" }, bodyParams }),
        params: { listId: 'L"1', n: "5" },
      });
    expect(JSON.parse(post({ filter: { list: "${listId}" }, n: 1 }).body ?? "")).toEqual({
      filter: { list: 'L"1' },
      n: 1,
    });
    expect(JSON.parse(post('{"list":"${listId}"}').body ?? "")).toEqual({ list: 'L"1' });
    expect(JSON.parse(post('{"limit": ${n}}').body ?? "")).toEqual({ limit: 5 });
    expect(post({ a: 1 }).headers["content-type"]).toBe("application/json");
  });

  it.each([
    [
      "an unresolved placeholder, by name",
      { urlParams: { host: "https://h", path: "/l/${listId}" } },
      "params",
      /"listId"/,
    ],
    [
      "a window placeholder without a window",
      { urlParams: { host: "https://h", path: "/", queryParams: { q: "{SCHEDULE_QUERY}" } } },
      "params",
      /incremental window/,
    ],
    ["no host", { urlParams: { path: "/x" } }, "spec", /No host/],
    ["no urlParams", { urlParams: undefined }, "spec", /urlParams/],
    ["a method other than GET/POST", { urlParams: { host: "https://h", method: "DELETE" } }, "spec", /GET or POST/],
    ["a non-http URL", { urlParams: { host: "file:///etc", path: "/passwd" } }, "spec", /http or https/],
    ["a body on a GET", { urlParams: { host: "https://h", method: "GET" }, bodyParams: { a: 1 } }, "spec", /POST/],
    [
      "a body that is not JSON",
      { urlParams: { host: "https://h", method: "POST" }, bodyParams: "a=b" },
      "spec",
      /must be JSON/,
    ],
    ["no contentPath", { urlParams: { host: "https://h" }, contentPath: undefined }, "spec", /contentPath/],
    [
      "a hostile contentPath",
      { urlParams: { host: "https://h" }, contentPath: "$..[?(@.constructor.constructor('x')())]" },
      "spec",
      /RFC 9535/,
    ],
  ])("fails before any request on %s", (_what, attributes, kind, message) => {
    const error = specError({ spec: concrete(attributes) });
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
  });

  it("fails on an auth spec name that matches no entry, and accepts the docs' spellings", () => {
    const spec = concrete(
      { urlParams: { host: "https://h" } },
      { authSpec: [{ name: "OAuth2 Refresh Code", type: "OAuth2RefreshCode", spec: {} }] },
    );
    const auth = { accessToken: "tok-123" };
    expect(specError({ spec, auth, authSpecName: "Basic" }).message).toMatch(/No authSpec entry matches "Basic"/);
    for (const name of ["OAuth2 Refresh Code", "oAuth2RefreshCode", "OAuth 2 Refresh Code", "oauth2-refresh-code"])
      expect(explain({ spec, auth, authSpecName: name }).headers.authorization).toBe("[REDACTED]");
  });
});
