// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
/** Reads against local servers that answer as the real APIs document: pagination, extraction, windows, streaming. */
import { describe, expect, it } from "vitest";
import {
  basicAuthSpec,
  collect,
  connectionSpec,
  imitations,
  sendJson,
  startImitation,
  startMailchimp,
  startPagedApi,
  startPointerApi,
  startZendesk,
  zendeskParams,
  zendeskSpec,
} from "../../test/imitation-apis/index.ts";
import { readRecords } from "./read.ts";

const serve = imitations();
const mailchimpAuth = { username: "anystring", password: "key-us6" };

const membersSpec = (host: string) =>
  connectionSpec(
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

describe("Mailchimp members (OFFSET count/offset, total_items, Basic auth)", () => {
  it("reads every member across pages and stops on the short last page", async () => {
    const api = await serve(startMailchimp({ members: 25 }));
    const { records, summary } = await collect({
      spec: membersSpec(api.url),
      auth: mailchimpAuth,
      params: { listId: "L1" },
    });
    expect(records).toHaveLength(25);
    expect(records[0]).toEqual({
      member: {
        id: "m0",
        email_address: "user0@example.com",
        status: "subscribed",
        merge_fields: { FNAME: "First0", LNAME: "Last0" },
      },
    });
    expect(summary).toMatchObject({ pages: 3, records: 25, requests: 3, retries: 0, stopReason: "short-page" });
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
      auth: mailchimpAuth,
      params: { listId: "L1" },
    });
    expect(records).toHaveLength(20);
    expect(summary).toMatchObject({ requests: 3, stopReason: "empty-page" });
  });

  it("ends at once on an empty first page", async () => {
    const api = await serve(startMailchimp({ members: 0 }));
    const { records, summary } = await collect({
      spec: membersSpec(api.url),
      auth: mailchimpAuth,
      params: { listId: "L1" },
    });
    expect(records).toEqual([]);
    expect(summary).toMatchObject({ pages: 1, requests: 1, stopReason: "empty-page" });
  });

  it("stops on total_items with an end condition, without the extra empty request", async () => {
    const api = await serve(startMailchimp({ members: 20 }));
    const spec = membersSpec(api.url);
    spec.sourceSpec.attributes.paginationParams = {
      type: "OFFSET",
      limitName: "count",
      limitValue: "10",
      offSetName: "offset",
      endConditionName: "$.members[9].id",
      endConditionValue: "Const:m19",
    };
    const { records, summary } = await collect({ spec, auth: mailchimpAuth, params: { listId: "L1" } });
    expect(records).toHaveLength(20);
    expect(summary).toMatchObject({ requests: 2, stopReason: "end-condition" });
  });

  it("fails naming an unresolved placeholder before any request", async () => {
    const api = await serve(startMailchimp());
    const { error, summary } = await collect({ spec: membersSpec(api.url), auth: mailchimpAuth, params: {} });
    expect(error).toMatchObject({ kind: "params" });
    expect(error?.message).toContain('"listId"');
    expect(api.stats.requests).toBe(0);
    expect(summary).toMatchObject({ requests: 0, stopReason: "error" });
  });

  it("rejects a hostile JSONPath (a script payload) before any request", async () => {
    const api = await serve(startMailchimp());
    const spec = membersSpec(api.url);
    spec.sourceSpec.attributes.contentPath = {
      path: "$..[?(@.constructor.constructor('return process')().exit())]",
    } as never;
    const { error, summary } = await collect({ spec, auth: mailchimpAuth, params: { listId: "L1" } });
    expect(error).toMatchObject({ kind: "spec" });
    expect(error?.message).toMatch(/contentPath.path .* is not a valid RFC 9535 JSONPath/);
    expect(api.stats.requests).toBe(0);
    expect(summary.stopReason).toBe("error");
  });

  it("honours maxRecords mid-page, and never fetches a page it will not use", async () => {
    const api = await serve(startMailchimp({ members: 25 }));
    const { records, summary } = await collect({
      spec: membersSpec(api.url),
      auth: mailchimpAuth,
      params: { listId: "L1" },
      maxRecords: 15,
    });
    expect(records).toHaveLength(15);
    expect(summary).toMatchObject({ records: 15, stopReason: "record-limit" });
    expect(api.stats.requests).toBe(2);
  });
});

describe("Mailchimp email activity (explodeEntityPath)", () => {
  it("emits one record per activity under the email wrapper", async () => {
    const api = await serve(startMailchimp({ emails: 3, activitiesPerEmail: 2 }));
    const spec = connectionSpec(
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
    const { records, summary } = await collect({ spec, auth: mailchimpAuth, params: { campaignId: "C1" } });
    expect(records).toHaveLength(6);
    expect(records[1]).toEqual({
      email: {
        email_id: "e0",
        email_address: "user0@example.com",
        activity: { action: "click", timestamp: "2024-01-01T00:00:00+00:00" },
      },
    });
    // Page size counts emails (before explode): 2, then a short page of 1.
    expect(summary).toMatchObject({ pages: 2, records: 6, stopReason: "short-page" });
  });
});

describe("Zendesk search export (CONTINUATION_TOKEN after_cursor, has_more)", () => {
  it("follows after_cursor, keeping meta and links, until a page comes back empty", async () => {
    const api = await serve(startZendesk({ users: 7 }));
    const { records, summary } = await collect({ spec: zendeskSpec(api.url), auth: {}, params: zendeskParams });
    expect(records.map((r) => (r.results as { id: number }).id)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006]);
    expect(records[0]).toMatchObject({ meta: { has_more: true }, links: { next: expect.any(String) } });
    expect(records[0]).not.toHaveProperty("facets");
    // The last page says has_more: false but still has a cursor (as in the docs' sample): one more request.
    expect(summary).toMatchObject({ requests: 4, stopReason: "empty-page" });
    expect(api.stats.log[0]?.url).toBe(
      "/api/v2/search/export?query=type%3Auser&filter%5Btype%5D=user&page%5Bsize%5D=3",
    );
  });

  it("stops on has_more with an end condition", async () => {
    const api = await serve(startZendesk({ users: 7 }));
    const spec = zendeskSpec(api.url, { endConditionName: "$.meta.has_more", endConditionValue: "Const:false" });
    const { records, summary } = await collect({ spec, auth: {}, params: zendeskParams });
    expect(records).toHaveLength(7);
    expect(summary).toMatchObject({ requests: 3, stopReason: "end-condition" });
  });

  it("waits out 429s, honouring Retry-After in seconds and as an HTTP date", async () => {
    for (const retryAfter of ["0", "date"]) {
      const api = await serve(startZendesk({ users: 2, rateLimitedRequests: 2, retryAfter }));
      const { records, summary, events } = await collect({
        spec: zendeskSpec(api.url),
        auth: {},
        params: zendeskParams,
      });
      expect(records).toHaveLength(2);
      expect(summary.retries).toBe(2);
      const retries = events.filter((e) => e.type === "retry");
      expect(retries).toHaveLength(2);
      expect(retries[0]).toMatchObject({ status: 429, attempt: 1 });
      // A one-second HTTP date is clamped to the 50 ms cap of these tests.
      for (const r of retries) if (r.type === "retry") expect(r.waitMs).toBeLessThanOrEqual(50);
    }
  });

  it("gives up on a 429 storm after a bounded number of retries, with status and URL", async () => {
    const api = await serve(startZendesk({ rateLimitedRequests: 1000, retryAfter: "120" }));
    const t0 = performance.now();
    const { error, summary } = await collect({ spec: zendeskSpec(api.url), auth: {}, params: zendeskParams });
    expect(error).toMatchObject({ kind: "upstream", status: 429 });
    expect(error?.url).toContain("/api/v2/search/export");
    expect(error?.bodyExcerpt).toContain("APIRateLimitExceeded");
    expect(api.stats.requests).toBe(4);
    expect(summary).toMatchObject({ retries: 3, stopReason: "error" });
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("reports a duplicate token as a loop after yielding the page that repeated it", async () => {
    const api = await serve(startZendesk({ users: 50, stuckCursor: true }));
    const { error, records, summary } = await collect({ spec: zendeskSpec(api.url), auth: {}, params: zendeskParams });
    expect(error?.kind).toBe("loop");
    expect(error?.message).toMatch(/continuation token .* repeated/);
    expect(records).toHaveLength(6);
    expect(summary).toMatchObject({ requests: 2, stopReason: "error" });
  });

  it("sends the token in a header for HEADERPARAM and waits delayRequestMillis between requests", async () => {
    const seen: number[] = [];
    const api = await serve(
      startImitation((req, res) => {
        seen.push(performance.now());
        const cursor = req.headers["x-cursor"];
        sendJson(res, 200, cursor === "c2" ? { rows: [{ n: 2 }], next: null } : { rows: [{ n: 1 }], next: "c2" });
      }),
    );
    const spec = connectionSpec({
      urlParams: { host: api.url, path: "/rows", method: "GET" },
      contentPath: "$.rows",
      paginationParams: {
        type: "CONTINUATION_TOKEN",
        continuationTokenPath: "$.next",
        parameterType: "HEADERPARAM",
        parameterName: "x-cursor",
        delayRequestMillis: "60",
      },
    });
    const { records, summary } = await collect({ spec, auth: {}, params: {} });
    expect(records.map((r) => r.rows)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(summary.stopReason).toBe("no-next-token");
    expect((seen[1] as number) - (seen[0] as number)).toBeGreaterThanOrEqual(55);
  });
});

describe("a PAGE API announcing x-pagecount", () => {
  const pageSpec = (host: string, pagination: Record<string, unknown>) =>
    connectionSpec({
      urlParams: { host, path: "/items", method: "GET" },
      contentPath: "$.data",
      paginationParams: {
        type: "PAGE",
        limitName: "pageSize",
        limitValue: "4",
        pageParamName: "pageNumber",
        ...pagination,
      },
    });

  it("stops once the announced number of pages is read, the last one exactly full", async () => {
    const api = await serve(startPagedApi({ items: 8 }));
    const spec = pageSpec(api.url, { initialPageIndex: 1, endPageIndex: "headers.x-pagecount" });
    const { records, summary } = await collect({ spec, auth: {}, params: {} });
    expect(records).toHaveLength(8);
    expect(summary).toMatchObject({ requests: 2, stopReason: "end-page-index" });
    expect(api.stats.log.map((r) => r.url)).toEqual([
      "/items?pageSize=4&pageNumber=1",
      "/items?pageSize=4&pageNumber=2",
    ]);
  });

  it("stops at a numeric endPageIndex (inclusive)", async () => {
    const api = await serve(startPagedApi({ items: 100 }));
    const { records, summary } = await collect({
      spec: pageSpec(api.url, { initialPageIndex: 1, endPageIndex: 3 }),
      auth: {},
      params: {},
    });
    expect(records).toHaveLength(12);
    expect(summary).toMatchObject({ requests: 3, stopReason: "end-page-index" });
  });

  it("caps the read at maximumRequest", async () => {
    const api = await serve(startPagedApi({ items: 100 }));
    const { summary } = await collect({
      spec: pageSpec(api.url, { initialPageIndex: 1, maximumRequest: "3" }),
      auth: {},
      params: {},
    });
    expect(summary).toMatchObject({ requests: 3, records: 12, stopReason: "maximum-request" });
    expect(api.stats.requests).toBe(3);
  });
});

describe("a POINTER API returning paging.next URLs", () => {
  const pointerSpec = (host: string) =>
    connectionSpec({
      urlParams: { host, path: "/v1/things", method: "GET" },
      contentPath: "$.data",
      paginationParams: { type: "POINTER", limitName: "limit", limitValue: 4, pointerPath: "paging.next" },
      headerParams: { "x-client": "inlet" },
    });

  it.each([false, true])("follows the next URL (relative=%s) with the headers re-applied", async (relative) => {
    const api = await serve(startPointerApi({ items: 9, relative }));
    const { records, summary } = await collect({ spec: pointerSpec(api.url), auth: {}, params: {} });
    expect(records.map((r) => (r.data as { id: string }).id)).toEqual(Array.from({ length: 9 }, (_, i) => `p${i}`));
    expect(summary).toMatchObject({ requests: 3, stopReason: "no-next-token" });
    expect(api.stats.log.map((r) => r.headers["x-client"])).toEqual(["inlet", "inlet", "inlet"]);
    expect(api.stats.log[2]?.url).toBe("/v1/things?limit=4&after=8");
  });

  it("reports a pointer that leads back to a fetched URL as a loop", async () => {
    const api = await serve(startPointerApi({ loop: true }));
    const { error, summary } = await collect({ spec: pointerSpec(api.url), auth: {}, params: {} });
    expect(error?.kind).toBe("loop");
    expect(summary.requests).toBe(2);
  });
});

describe("streaming", () => {
  it("yields a page's records before the next page has arrived", async () => {
    let releaseSecondPage = () => {};
    const secondPageHeld = new Promise<void>((resolve) => {
      releaseSecondPage = resolve;
    });
    const api = await serve(
      startImitation(async (_req, res, url) => {
        const offset = Number(url.searchParams.get("offset"));
        if (offset > 0) await secondPageHeld;
        sendJson(res, 200, { items: offset === 0 ? [{ n: 1 }, { n: 2 }] : [] });
      }),
    );
    const spec = connectionSpec({
      urlParams: { host: api.url, path: "/items", method: "GET" },
      contentPath: "$.items",
      paginationParams: { type: "OFFSET", offSetName: "offset", limitName: "limit", limitValue: 2 },
    });
    const handle = readRecords({ spec, auth: {}, params: {} });
    const iterator = handle[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ items: { n: 1 } });
    expect((await iterator.next()).value).toEqual({ items: { n: 2 } });
    releaseSecondPage();
    expect((await iterator.next()).done).toBe(true);
    expect(handle.summary()).toMatchObject({ pages: 2, stopReason: "empty-page" });
  });

  it("stops cleanly when the consumer stops early, leaving no request behind", async () => {
    const api = await serve(startPagedApi({ items: 40 }));
    const spec = connectionSpec({
      urlParams: { host: api.url, path: "/items", method: "GET" },
      contentPath: "$.data",
      paginationParams: {
        type: "PAGE",
        pageParamName: "pageNumber",
        initialPageIndex: 1,
        limitName: "pageSize",
        limitValue: 4,
      },
    });
    const handle = readRecords({ spec, auth: {}, params: {} });
    let n = 0;
    for await (const _record of handle) if (++n === 5) break;
    expect(handle.summary()).toMatchObject({ records: 5, stopReason: "record-limit" });
    expect(api.stats.requests).toBeLessThanOrEqual(3);
  });
});

describe("incremental windows", () => {
  it("sends the standard schedule params in their .NET formats", async () => {
    const api = await serve(startMailchimp({ members: 3 }));
    const spec = membersSpec(api.url);
    Object.assign(spec.sourceSpec.attributes, {
      scheduleParams: {
        scheduleStartParamName: "since_last_changed",
        scheduleEndParamName: "before_last_changed",
        scheduleStartParamFormat: "yyyy-MM-ddTHH:mm:ss:fffffffK",
        scheduleEndParamFormat: "yyyy-MM-ddTHH:mm:ssZ",
      },
    });
    const window = { start: new Date("2024-01-02T03:04:05.678Z"), end: new Date("2024-01-03T00:00:00Z") };
    await collect({ spec, auth: mailchimpAuth, params: { listId: "L1" }, window });
    const sent = new URL(api.stats.log[0]?.url ?? "", "http://x").searchParams;
    expect(sent.get("since_last_changed")).toBe("2024-01-02T03:04:05:6780000Z");
    expect(sent.get("before_last_changed")).toBe("2024-01-03T00:00:00Z");
  });

  it("renders ADVANCE incremental and backfill expressions into {SCHEDULE_QUERY}", async () => {
    const api = await serve(startZendesk({ users: 2 }));
    const spec = zendeskSpec(api.url);
    Object.assign(spec.sourceSpec.attributes, {
      urlParams: {
        host: api.url,
        path: "/api/v2/search/export",
        method: "GET",
        queryParams: { query: "{SCHEDULE_QUERY}", "filter[type]": "user" },
      },
      scheduleParams: {
        type: "ADVANCE",
        paramFormat: "yyyy-MM-ddTHH:mm:ssK",
        incremental: "type:user updated>{START_TIME} updated<{END_TIME}",
        backfill: "type:user updated<{END_TIME}",
      },
    });
    const end = new Date("2024-05-06T07:08:09Z");
    await collect({ spec, auth: {}, params: zendeskParams, window: { start: new Date("2024-05-01T00:00:00Z"), end } });
    await collect({ spec, auth: {}, params: zendeskParams, window: { end, backfill: true } });
    const queries = api.stats.log
      .filter((r) => !r.url.includes("page%5Bafter%5D"))
      .map((r) => new URL(r.url, "http://x").searchParams.get("query"));
    expect(queries).toEqual([
      "type:user updated>2024-05-01T00:00:00Z updated<2024-05-06T07:08:09Z",
      "type:user updated<2024-05-06T07:08:09Z",
    ]);
  });
});

describe("POST sources", () => {
  it("sends rendered bodyParams as JSON on every page", async () => {
    const api = await serve(
      startImitation((req, res, url) => {
        const offset = Number(url.searchParams.get("offset"));
        sendJson(res, 200, { items: offset < 4 ? [{ a: offset }, { a: offset + 1 }] : [], echo: req.body });
      }),
    );
    const spec = connectionSpec({
      urlParams: { host: api.url, path: "/search", method: "POST" },
      bodyParams: { filter: { list: "${listId}" } },
      contentPath: { path: "$.items", skipAttributes: ["echo"] },
      paginationParams: { type: "OFFSET", offSetName: "offset", limitName: "limit", limitValue: 2 },
    });
    const { records, summary } = await collect({ spec, auth: {}, params: { listId: "L9" } });
    expect(records).toHaveLength(4);
    expect(summary.stopReason).toBe("empty-page");
    expect(api.stats.log.map((r) => [r.method, r.headers["content-type"], JSON.parse(r.body)])).toEqual(
      Array(3).fill(["POST", "application/json", { filter: { list: "L9" } }]),
    );
  });
});
