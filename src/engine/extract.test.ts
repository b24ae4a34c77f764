import { describe, expect, it } from "vitest";
import { EngineError } from "./errors.ts";
import { createExtractor } from "./extract.ts";

const ctx = { url: "http://x/y", status: 200, excerpt: () => '{"members":{"id":1}}' };

describe("createExtractor (spec §4.5)", () => {
  const body = {
    total_items: 2,
    list_id: "L1",
    _links: [{ rel: "self" }],
    members: [{ id: "a", merge_fields: { FNAME: "X" } }, { id: "b" }],
  };

  it("wraps each element and drops skipped siblings (the worked Members example)", () => {
    const ex = createExtractor(
      { path: "$.members", skipAttributes: ["_links", "total_items", "list_id"], overrideWrapperAttribute: "member" },
      undefined,
    );
    expect(ex.records(body, ctx)).toEqual({
      records: [{ member: { id: "a", merge_fields: { FNAME: "X" } } }, { member: { id: "b" } }],
      itemCount: 2,
    });
  });

  it("keeps root siblings and names the wrapper after the array without overrides (plain string path)", () => {
    const ex = createExtractor("$.members", undefined);
    expect(ex.records(body, ctx).records[1]).toEqual({
      total_items: 2,
      list_id: "L1",
      _links: [{ rel: "self" }],
      members: { id: "b" },
    });
  });

  it("skipAttributes also removes the named keys inside each element (MailChimp repeats _links there)", () => {
    const ex = createExtractor({ path: "$.members", skipAttributes: ["_links", "list_id"] }, undefined);
    const out = ex.records({ list_id: "L1", members: [{ id: "a", list_id: "L1", _links: [] }] }, ctx);
    expect(out.records).toEqual([{ members: { id: "a" } }]);
  });

  it("keepAttributes whitelists siblings and always keeps the wrapper; skip applies after keep", () => {
    const ex = createExtractor({ path: "$.members", keepAttributes: ["list_id", "total_items"] }, undefined);
    expect(ex.records(body, ctx).records[0]).toEqual({
      list_id: "L1",
      total_items: 2,
      members: { id: "a", merge_fields: { FNAME: "X" } },
    });
    const both = createExtractor(
      { path: "$.members", keepAttributes: ["list_id", "total_items"], skipAttributes: ["total_items"] },
      undefined,
    );
    expect(Object.keys(both.records(body, ctx).records[0] ?? {})).toEqual(["list_id", "members"]);
  });

  it("reconstructs the Zendesk preview: meta and links kept, facets skipped, results wrapped", () => {
    const ex = createExtractor({ path: "$.results", skipAttributes: ["facets"] }, undefined);
    const out = ex.records(
      { results: [{ id: 1 }, { id: 2 }], facets: null, meta: { has_more: false }, links: { next: null } },
      ctx,
    );
    expect(out.records[1]).toEqual({ meta: { has_more: false }, links: { next: null }, results: { id: 2 } });
  });

  it("keeps only the siblings of the first path segment for a nested array", () => {
    const ex = createExtractor("$.data.items", undefined);
    expect(ex.records({ data: { items: [{ n: 1 }], total: 1 }, page: 3 }, ctx).records).toEqual([
      { page: 3, items: { n: 1 } },
    ]);
  });

  it("emits bare objects for a root array, and wraps scalars", () => {
    expect(createExtractor("$", undefined).records([{ a: 1 }, { a: 2 }], ctx).records).toEqual([{ a: 1 }, { a: 2 }]);
    expect(createExtractor("$[*]", undefined).records([{ a: 1 }], ctx).records).toEqual([{ a: 1 }]);
    expect(createExtractor("$.ids", undefined).records({ ids: [1, 2] }, ctx).records).toEqual([{ ids: 1 }, { ids: 2 }]);
  });

  it("explodes one record per sub-array element under the renamed wrappers (MailChimp Campaign)", () => {
    const ex = createExtractor(
      { path: "$.emails", overrideWrapperAttribute: "email", skipAttributes: ["total_items", "campaign_id"] },
      { path: "$.email.activity", overrideWrapperAttribute: "activity" },
    );
    const out = ex.records(
      {
        total_items: 2,
        campaign_id: "c",
        emails: [
          { email_id: "e1", activity: [{ action: "open" }, { action: "click" }] },
          { email_id: "e2", activity: [] },
        ],
      },
      ctx,
    );
    expect(out.itemCount).toBe(2);
    expect(out.records).toEqual([
      { email: { email_id: "e1", activity: { action: "open" } } },
      { email: { email_id: "e1", activity: { action: "click" } } },
    ]);
  });

  it("accepts an explode path written with the array's own name, and filters the exploded level", () => {
    const ex = createExtractor(
      { path: "$.emails", overrideWrapperAttribute: "email" },
      { path: "$.emails.activity", skipAttributes: ["campaign_id"] },
    );
    const out = ex.records({ emails: [{ id: "e1", campaign_id: "c", activity: [{ a: 1 }] }] }, ctx);
    expect(out.records).toEqual([{ email: { id: "e1", activity: { a: 1 } } }]);
  });

  it("fails with URL, status and the excerpt when contentPath is not an array", () => {
    const ex = createExtractor("$.members", undefined);
    for (const response of [{ members: { id: 1 } }, { other: [] }, "text"]) {
      let caught: unknown;
      try {
        ex.records(response, ctx);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(EngineError);
      expect(caught).toMatchObject({ kind: "extraction", url: "http://x/y", status: 200 });
      expect((caught as EngineError).message).toContain("http://x/y");
      expect((caught as EngineError).bodyExcerpt).toContain('"members"');
    }
  });

  it("supports a general JSONPath (filter), whose selection is the records", () => {
    const ex = createExtractor({ path: "$.items[?@.keep == true]", overrideWrapperAttribute: "item" }, undefined);
    const out = ex.records(
      {
        items: [
          { keep: true, n: 1 },
          { keep: false, n: 2 },
        ],
      },
      ctx,
    );
    expect(out).toEqual({ records: [{ item: { keep: true, n: 1 } }], itemCount: 1 });
  });

  it.each([
    ["a hostile script path", "$..[?(@.constructor.constructor('return process')())]", undefined, /RFC 9535/],
    ["a number", 5, undefined, /JSONPath string or an object/],
    ["a bad skip list", { path: "$.a", skipAttributes: "x" }, undefined, /array of strings/],
    ["an empty wrapper", { path: "$.a", overrideWrapperAttribute: "" }, undefined, /overrideWrapperAttribute/],
    ["an explode filter path", "$.a", { path: "$.a[*].b" }, /plain member path/],
  ])("rejects %s at compile time", (_what, contentPath, explode, message) => {
    expect(() => createExtractor(contentPath, explode)).toThrow(message);
  });
});
