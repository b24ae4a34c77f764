import { describe, expect, it } from "vitest";
import { createPaginator } from "./index.ts";

const page = (itemCount: number, body: unknown = {}, headers: Record<string, string> = {}) => ({
  url: "http://h/x",
  body,
  headers,
  itemCount,
});

describe("paginators", () => {
  it("PAGE with a numeric endPageIndex fetches that index and stops", () => {
    const p = createPaginator({ type: "PAGE", pageParamName: "p", limitName: "n", limitValue: "2", endPageIndex: "1" });
    expect(p.first().query).toEqual({ n: "2", p: "0" });
    const second = p.next(page(2));
    expect(second).toEqual({ kind: "next", request: { query: { n: "2", p: "1" }, headers: {} } });
    expect(p.next(page(2))).toEqual({ kind: "stop", reason: "end-page-index" });
  });

  it("OFFSET accepts offsetName and numeric strings and grows by limitValue", () => {
    const p = createPaginator({ type: "OFFSET", offsetName: "o", limitName: "l", limitValue: "50" });
    p.next(page(50));
    expect(p.next(page(50))).toMatchObject({ kind: "next", request: { query: { l: "50", o: "100" } } });
    expect(p.next(page(10))).toEqual({ kind: "stop", reason: "short-page" });
  });

  it("defaults maximumRequest to 10000 and reads delayRequestMillis for every type", () => {
    expect(createPaginator({ type: "NONE", delayRequestMillis: "850" })).toMatchObject({
      maximumRequest: 10_000,
      delayMs: 850,
    });
    expect(createPaginator(undefined).type).toBe("NONE");
  });

  it("rejects an unknown type, a non-numeric limit and a bad parameterType", () => {
    expect(() => createPaginator({ type: "CURSORISH" })).toThrow(/not one of/);
    expect(() => createPaginator({ type: "OFFSET", offSetName: "o", limitName: "l", limitValue: "ten" })).toThrow(
      /integer/,
    );
    expect(() =>
      createPaginator({
        type: "CONTINUATION_TOKEN",
        continuationTokenPath: "$.t",
        parameterName: "t",
        parameterType: "BODY",
      }),
    ).toThrow(/QUERYPARAM or HEADERPARAM/);
  });
});
