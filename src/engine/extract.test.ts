import { describe, expect, it } from "vitest";
import { EngineError } from "./errors.ts";
import { createExtractor } from "./extract.ts";

const ctx = { url: "http://x/y", status: 200, excerpt: () => "{}" };

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
    expect(ex.records(body, ctx).records).toEqual([
      { member: { id: "a", merge_fields: { FNAME: "X" } } },
      { member: { id: "b" } },
    ]);
  });

  it("keeps root siblings and names the wrapper after the array without overrides", () => {
    const ex = createExtractor("$.members", undefined);
    expect(ex.records(body, ctx).records[1]).toEqual({
      total_items: 2,
      list_id: "L1",
      _links: [{ rel: "self" }],
      members: { id: "b" },
    });
  });

  it("keepAttributes whitelists siblings and always keeps the wrapper", () => {
    const ex = createExtractor({ path: "$.members", keepAttributes: ["list_id"] }, undefined);
    expect(ex.records(body, ctx).records[0]).toEqual({
      list_id: "L1",
      members: { id: "a", merge_fields: { FNAME: "X" } },
    });
  });

  it("explodes one record per sub-array element under the renamed wrappers", () => {
    const ex = createExtractor(
      { path: "$.emails", overrideWrapperAttribute: "email", skipAttributes: ["total_items", "campaign_id"] },
      { path: "$.email.activity", overrideWrapperAttribute: "activity" },
    );
    const out = ex.records(
      {
        total_items: 1,
        campaign_id: "c",
        emails: [{ email_id: "e1", activity: [{ action: "open" }, { action: "click" }] }],
      },
      ctx,
    );
    expect(out.itemCount).toBe(1);
    expect(out.records).toEqual([
      { email: { email_id: "e1", activity: { action: "open" } } },
      { email: { email_id: "e1", activity: { action: "click" } } },
    ]);
  });

  it("fails with URL, status and excerpt when contentPath is not an array", () => {
    const ex = createExtractor("$.members", undefined);
    const raw = Buffer.from('{"members":{"id":1}}');
    try {
      ex.records({ members: { id: 1 } }, { ...ctx, raw });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EngineError);
      expect((e as EngineError).kind).toBe("extraction");
      expect((e as EngineError).message).toContain("http://x/y");
      expect((e as EngineError).bodyExcerpt).toContain('"members"');
    }
  });

  it("supports a general JSONPath (filter) evaluated once per page", () => {
    const ex = createExtractor({ path: "$.items[?@.keep == true]", overrideWrapperAttribute: "item" }, undefined);
    expect(
      ex.records(
        {
          items: [
            { keep: true, n: 1 },
            { keep: false, n: 2 },
          ],
        },
        ctx,
      ).records,
    ).toEqual([{ item: { keep: true, n: 1 } }]);
  });

  it("rejects a hostile script JSONPath at compile time", () => {
    expect(() => createExtractor("$..[?(@.constructor.constructor('return process')())]", undefined)).toThrow(
      /not a valid RFC 9535 JSONPath/,
    );
  });
});
