import { describe, expect, it } from "vitest";
import { FlowError } from "../../errors.ts";
import { applyList } from "./apply-list.ts";
import { parseListQuery } from "./list-query.ts";

const flows = [
  { id: "a", name: "alpha", createdAt: 3, state: "enabled", sourceConnectionIds: ["s1", "s2"], metrics: { n: 10 } },
  { id: "b", name: "beta", createdAt: 1, state: "disabled", sourceConnectionIds: ["s3"], metrics: { n: 5 } },
  { id: "c", name: "gamma", createdAt: 2, state: "enabled", sourceConnectionIds: [], metrics: { n: 7 } },
  {
    id: "d",
    name: "delta",
    createdAt: 4,
    state: "enabled",
    inheritedAttributes: { targetConnections: [{ connectionSpec: { id: "lake" } }] },
  },
];

function run(query: Record<string, unknown>) {
  return applyList(flows, parseListQuery(query));
}

function ids(query: Record<string, unknown>): string[] {
  const result = run(query);
  if (result.kind !== "page") throw new Error("expected a page");
  return result.items.map((item) => String(item.id));
}

function codeOf(query: Record<string, unknown>): number | undefined {
  try {
    run(query);
  } catch (error) {
    if (error instanceof FlowError) return error.code;
    throw error;
  }
  return undefined;
}

describe("list filters", () => {
  it("treats a comma list after == as OR", () => {
    expect(ids({ property: "id==a,c" })).toEqual(["a", "c"]);
  });

  it("ANDs repeated property filters", () => {
    expect(ids({ property: ["state==enabled", "metrics.n>7"] })).toEqual(["a"]);
  });

  it("compares numbers numerically, not as text", () => {
    expect(ids({ property: "metrics.n>=7" })).toEqual(["a", "c"]);
    expect(ids({ property: "createdAt<3", orderby: "createdAt" })).toEqual(["b", "c"]);
  });

  it("reaches into arrays with []", () => {
    expect(ids({ property: "sourceConnectionIds[]==s2" })).toEqual(["a"]);
    expect(ids({ property: "inheritedAttributes.targetConnections[].connectionSpec.id==lake" })).toEqual(["d"]);
  });

  it("!= keeps items where no value equals, including missing fields", () => {
    expect(ids({ property: "sourceConnectionIds[]!=s3" })).toEqual(["a", "c", "d"]);
  });

  it("treats a property without an operator as a projection", () => {
    const result = run({ property: "name", limit: "1" });
    expect(result).toMatchObject({ kind: "page", items: [{ id: "a", name: "alpha" }] });
    if (result.kind === "page") expect(Object.keys(result.items[0]!)).toEqual(["id", "name"]);
  });

  it("rejects ~ as not implemented (1440), a lone = (1448) and <= with several values (1443)", () => {
    expect(codeOf({ property: "name~al" })).toBe(1440);
    expect(codeOf({ property: "name=alpha" })).toBe(1448);
    expect(codeOf({ property: "createdAt<=1,2" })).toBe(1443);
    expect(codeOf({ property: "name===alpha" })).toBe(1448);
  });

  it("rejects a hostile path (1451) and an empty value (1452)", () => {
    expect(codeOf({ property: "constructor.prototype[0]==x" })).toBe(1451);
    expect(codeOf({ property: "name==" })).toBe(1452);
  });
});

describe("list ordering and paging", () => {
  it("orders ascending by default and descending with -", () => {
    expect(ids({ orderby: "createdAt" })).toEqual(["b", "c", "a", "d"]);
    expect(ids({ orderby: "-createdAt" })).toEqual(["d", "a", "c", "b"]);
  });

  it("reads a leading space as + (an unencoded plus in a query string)", () => {
    expect(ids({ orderby: " name" })).toEqual(["a", "b", "d", "c"]);
  });

  it("rejects bad sort syntax (1433) and array sort fields (1432)", () => {
    expect(codeOf({ orderby: "-" })).toBe(1433);
    expect(codeOf({ orderby: "sourceConnectionIds[]" })).toBe(1432);
  });

  it("pages with continuation tokens that visit every item exactly once", () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const result = run({ limit: "1", orderby: "-createdAt", ...(token ? { continuationToken: token } : {}) });
      if (result.kind !== "page") throw new Error("expected a page");
      seen.push(...result.items.map((item) => String(item.id)));
      token = result.nextToken;
      pages++;
    } while (token !== undefined && pages < 10);
    expect(seen).toEqual(["d", "a", "c", "b"]);
  });

  it("refuses a token minted for another ordering or forged", () => {
    const first = run({ limit: "1", orderby: "name" });
    if (first.kind !== "page" || !first.nextToken) throw new Error("expected a next token");
    expect(codeOf({ limit: "1", orderby: "-name", continuationToken: first.nextToken })).toBe(1451);
    expect(codeOf({ continuationToken: "not-base64-json" })).toBe(1451);
  });

  it("answers count=true with the filtered count, and refuses limit with count (1401)", () => {
    expect(run({ count: "true", property: "state==enabled" })).toEqual({ kind: "count", count: 3 });
    expect(codeOf({ count: "true", limit: "2" })).toBe(1401);
  });

  it("rejects limits out of range", () => {
    expect(codeOf({ limit: "0" })).toBe(1451);
    expect(codeOf({ limit: "abc" })).toBe(1451);
    expect(codeOf({ limit: "1001" })).toBe(1451);
  });
});
