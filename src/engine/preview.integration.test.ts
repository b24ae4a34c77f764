import { afterEach, describe, expect, it } from "vitest";
import { type Imitation, sendJson, startImitation } from "../../test/imitation-apis/server.ts";
import { EngineError } from "./errors.ts";
import { integerBounds, previewSource } from "./preview.ts";

const servers: Imitation[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** OFFSET API with 1,000 items; page size from `limit`, and it echoes `query` back in each item. */
async function startApi(): Promise<Imitation> {
  const api = await startImitation((_req, res, url) => {
    const limit = Number(url.searchParams.get("limit") ?? "10");
    const offset = Number(url.searchParams.get("offset") ?? "0");
    const items = Array.from({ length: Math.max(0, Math.min(limit, 1000 - offset)) }, (_, i) => ({
      id: offset + i,
      name: `item ${offset + i}`,
      query: url.searchParams.get("query"),
    }));
    sendJson(res, 200, { items, total: 1000 });
  });
  servers.push(api);
  return api;
}

function spec(host: string, extra: Record<string, unknown> = {}) {
  return {
    authSpec: [],
    sourceSpec: {
      attributes: {
        urlParams: { host, path: "/items", method: "GET" },
        contentPath: { path: "$.items", skipAttributes: ["total"], overrideWrapperAttribute: "item" },
        paginationParams: { type: "OFFSET", limitName: "limit", limitValue: "250", offSetName: "offset" },
        ...extra,
      },
    },
  };
}

describe("previewSource", () => {
  it("returns at most 100 records of the first page with an inferred schema", async () => {
    const api = await startApi();
    const preview = await previewSource({ spec: spec(api.url), auth: {}, params: {} });
    expect(api.stats.requests).toBe(1);
    expect(preview.format).toBe("hierarchical");
    expect(preview.data).toHaveLength(100);
    expect(preview.data[0]).toEqual({ item: { id: 0, name: "item 0", query: null } });
    expect(preview.schema).toEqual({
      type: "object",
      properties: {
        item: {
          type: "object",
          properties: { id: { type: "integer", ...integerBounds }, name: { type: "string" }, query: { type: "null" } },
        },
      },
    });
  });

  it("honours a smaller limit and never fetches a second page", async () => {
    const api = await startApi();
    const preview = await previewSource({ spec: spec(api.url), auth: {}, params: {}, limit: 3 });
    expect(preview.data.map((r) => (r.item as { id: number }).id)).toEqual([0, 1, 2]);
    expect(api.stats.requests).toBe(1);
  });

  it("returns the spec's custom schema instead of inferring one", async () => {
    const api = await startApi();
    const custom = { type: "object", properties: { item: { type: "object", properties: { id: { type: "string" } } } } };
    const preview = await previewSource({ spec: spec(api.url, { schema: custom }), auth: {}, params: {}, limit: 2 });
    expect(preview.schema).toEqual(custom);
    expect(preview.data).toHaveLength(2);
  });

  it("renders the backfill expression into SCHEDULE_QUERY when no window is given", async () => {
    const api = await startApi();
    const scheduled = spec(api.url, {
      urlParams: { host: api.url, path: "/items", method: "GET", queryParams: { query: "{SCHEDULE_QUERY}" } },
      scheduleParams: {
        type: "ADVANCE",
        paramFormat: "yyyy-MM-ddTHH:mm:ssK",
        incremental: "updated > {START_TIME}",
        backfill: "updated < {END_TIME}",
      },
    });
    const now = () => new Date("2024-05-06T07:08:09Z");
    const preview = await previewSource({ spec: scheduled, auth: {}, params: {}, limit: 1, now });
    expect(preview.data[0]).toEqual({ item: { id: 0, name: "item 0", query: "updated < 2024-05-06T07:08:09Z" } });
  });

  it("rejects a limit of zero", async () => {
    await expect(previewSource({ spec: spec("http://127.0.0.1:9"), auth: {}, params: {}, limit: 0 })).rejects.toThrow(
      EngineError,
    );
  });

  it("fails with an upstream error when the API answers 404", async () => {
    const api = await startImitation((_req, res) => sendJson(res, 404, { error: "nope" }));
    servers.push(api);
    await expect(previewSource({ spec: spec(api.url), auth: {}, params: {} })).rejects.toMatchObject({
      kind: "upstream",
    });
  });
});
