// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
/**
 * readPages with `json: true` hands records over as JSON text sliced from the response. Whatever
 * the page looks like, the text must parse to exactly the record readRecords gives, and the read
 * must page, stop and fail the same way; where slicing cannot be trusted it falls back to parsed
 * records.
 */
import { describe, expect, it } from "vitest";
import {
  basicAuthSpec,
  collect,
  connectionSpec,
  fastHttp,
  imitations,
  startImitation,
  startMailchimp,
  startZendesk,
  zendeskParams,
  zendeskSpec,
} from "../../test/imitation-apis/index.ts";
import type { EngineError } from "./errors.ts";
import { type ReadRequest, readPages } from "./read.ts";

const serve = imitations();

async function collectJson(request: ReadRequest) {
  const handle = readPages({ ...request, json: true, http: { ...fastHttp, ...request.http } });
  const formats: string[] = [];
  const texts: string[] = [];
  const records: unknown[] = [];
  let error: EngineError | undefined;
  try {
    for await (const page of handle) {
      formats.push(page.format);
      for (const record of page.records) {
        const text = Buffer.isBuffer(record) ? record.toString("utf8") : JSON.stringify(record);
        texts.push(text);
        records.push(JSON.parse(text));
      }
    }
  } catch (caught) {
    error = caught as EngineError;
  }
  return { formats, texts, records, summary: handle.summary(), error };
}

/** Both ways over the same API; the JSON read must give what the parsed read gives. */
async function bothWays(request: ReadRequest) {
  const parsed = await collect(request);
  const json = await collectJson(request);
  expect(json.records).toEqual(parsed.records);
  expect(json.error?.message).toBe(parsed.error?.message);
  const { durationMs: _a, error: _e1, ...jsonSummary } = json.summary;
  const { durationMs: _b, error: _e2, ...parsedSummary } = parsed.summary;
  expect(jsonSummary).toEqual(parsedSummary);
  return json;
}

/** Serves the given bodies (raw text) in turn for `?page=N` (0-based); past the end, `[]`-like `end`. */
function startTextPages(pages: readonly string[], end = '{"items":[]}') {
  return startImitation((_req, res, url) => {
    const text = pages[Number(url.searchParams.get("page") ?? "0")] ?? end;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(text);
  });
}

const pageSpec = (host: string, contentPath: unknown, extra: Record<string, unknown> = {}) =>
  connectionSpec({
    urlParams: { host, path: "/things", method: "GET" },
    contentPath,
    paginationParams: { type: "PAGE", pageParamName: "page", initialPageIndex: 0, limitName: "n", limitValue: "2" },
    ...extra,
  });

describe("readPages with json: true", () => {
  it("gives Mailchimp members as JSON text equal to the parsed records, skips and wrapper included", async () => {
    const api = await serve(startMailchimp({ members: 25 }));
    const spec = connectionSpec(
      {
        urlParams: { host: api.url, path: "/3.0/lists/${listId}/members", method: "GET" },
        contentPath: {
          path: "$.members",
          skipAttributes: ["_links", "total_items", "list_id"],
          overrideWrapperAttribute: "member",
        },
        paginationParams: { type: "OFFSET", limitName: "count", limitValue: "10", offSetName: "offset" },
      },
      basicAuthSpec,
    );
    const json = await bothWays({ spec, auth: { username: "u", password: "key-us6" }, params: { listId: "L1" } });
    expect(json.formats).toEqual(["json", "json", "json"]);
    expect(json.records).toHaveLength(25);
    expect(json.texts[0]).not.toContain("_links");
  });

  it("keeps root siblings and follows a continuation token read outside the records (Zendesk)", async () => {
    const api = await serve(startZendesk({ users: 7 }));
    const json = await bothWays({ spec: zendeskSpec(api.url), auth: {}, params: zendeskParams });
    expect(json.formats.every((format) => format === "json")).toBe(true);
    expect(json.records).toHaveLength(7);
    expect(json.records[0]).toMatchObject({ meta: { has_more: true } });
  });

  it("hands over a root array's elements untouched, wrapping only those that are not objects", async () => {
    const api = await serve(startTextPages(['[{"id":1},{"id":2}]', '[3,{"id":4}]'], "[]"));
    const json = await bothWays({ spec: pageSpec(api.url, "$"), auth: {}, params: {} });
    expect(json.texts).toEqual(['{"id":1}', '{"id":2}', '{"record":3}', '{"id":4}']);
    // The empty page that ends the read hands nothing over.
    expect(json.formats).toEqual(["json", "json"]);
  });

  it("keeps the API's spelling of big integers and escapes, one line per record from a pretty-printed page", async () => {
    const pretty =
      '{\n  "items": [\n    {\n      "id": 12345678901234567890,\n      "s": "a\\"b\\u00e9"\n    },\n    {"id": 1.50}\n  ],\n  "meta": {"n": 1}\n}';
    const api = await serve(startTextPages([pretty]));
    const json = await bothWays({ spec: pageSpec(api.url, "$.items"), auth: {}, params: {} });
    expect(json.texts[0]).toContain("12345678901234567890");
    expect(json.texts[0]).toContain("\\u00e9");
    expect(json.texts[1]).toContain("1.50");
    for (const text of json.texts) expect(text).not.toMatch(/[\r\n]/);
    expect(json.records[0]).toMatchObject({ meta: { n: 1 } });
  });

  it("reaches records two members deep and keeps the siblings of the root member", async () => {
    const api = await serve(
      startTextPages(['{"data":{"rows":[{"a":1},{"a":2}],"x":1},"y":"z"}'], '{"data":{"rows":[]}}'),
    );
    await bothWays({
      spec: pageSpec(api.url, { path: "$.data.rows", overrideWrapperAttribute: "row" }),
      auth: {},
      params: {},
    });
  });

  it("fails a malformed page and a contentPath that is not an array exactly as the parsed read does", async () => {
    const api = await serve(startTextPages(['{"items":[{"a":1},{"a":2}]}', '{"items":[{"a":tru}]}']));
    const malformed = await bothWays({ spec: pageSpec(api.url, "$.items"), auth: {}, params: {} });
    expect(malformed.error?.kind).toBe("extraction");
    expect(malformed.records).toHaveLength(2);

    const other = await serve(startTextPages(['{"items":{"a":1}}']));
    const notArray = await bothWays({ spec: pageSpec(other.url, "$.items"), auth: {}, params: {} });
    expect(notArray.error?.message).toContain("does not point at an array");
  });

  it("falls back to parsed records when pagination reads inside the records or the spec explodes them", async () => {
    const inside = await serve(
      startImitation((_req, res, url) => {
        const after = Number(url.searchParams.get("after") ?? "0");
        const items = after >= 4 ? [] : [{ id: after + 1 }, { id: after + 2 }];
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ items }));
      }),
    );
    const cursorSpec = connectionSpec({
      urlParams: { host: inside.url, path: "/things", method: "GET" },
      contentPath: "$.items",
      paginationParams: {
        type: "CONTINUATION_TOKEN",
        continuationTokenPath: "$.items[-1:].id",
        parameterType: "QUERYPARAM",
        parameterName: "after",
      },
    });
    const cursor = await bothWays({ spec: cursorSpec, auth: {}, params: {} });
    expect(cursor.records).toHaveLength(4);
    expect(new Set(cursor.formats)).toEqual(new Set(["objects"]));

    const nested = await serve(startTextPages(['{"items":[{"k":1,"subs":[{"s":1},{"s":2}]}]}']));
    const exploded = await bothWays({
      spec: pageSpec(nested.url, "$.items", { explodeEntityPath: "$.items.subs" }),
      auth: {},
      params: {},
    });
    expect(exploded.records).toHaveLength(2);
    expect(exploded.formats[0]).toBe("objects");
  });

  it("cuts the page at maxRecords and reports record-limit", async () => {
    const api = await serve(startMailchimp({ members: 25 }));
    const spec = connectionSpec(
      {
        urlParams: { host: api.url, path: "/3.0/lists/L1/members", method: "GET" },
        contentPath: "$.members",
        paginationParams: { type: "OFFSET", limitName: "count", limitValue: "10", offSetName: "offset" },
      },
      basicAuthSpec,
    );
    const json = await bothWays({ spec, auth: { username: "u", password: "key-us6" }, params: {}, maxRecords: 13 });
    expect(json.records).toHaveLength(13);
    expect(json.summary).toMatchObject({ records: 13, pages: 2, stopReason: "record-limit" });
  });
});
