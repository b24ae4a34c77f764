import { describe, expect, it } from "vitest";
import { EngineError } from "../errors.ts";
import { createPaginator } from "./index.ts";
import type { PageStep } from "./types.ts";

const page = (itemCount: number, body: unknown = {}, headers: Record<string, string> = {}, url = "http://h/x") => ({
  url,
  body,
  headers,
  itemCount,
});
const query = (step: PageStep) => (step.kind === "next" ? step.request.query : undefined);

function thrown(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error("expected an EngineError");
}

describe("OFFSET", () => {
  it("starts at 0, grows by limitValue, accepts offsetName and numeric strings, stops on a short page", () => {
    const p = createPaginator({ type: "OFFSET", offsetName: "o", limitName: "l", limitValue: "50" });
    expect(p.first().query).toEqual({ l: "50", o: "0" });
    expect(query(p.next(page(50)))).toEqual({ l: "50", o: "50" });
    expect(query(p.next(page(50)))).toEqual({ l: "50", o: "100" });
    expect(p.next(page(10))).toEqual({ kind: "stop", reason: "short-page" });
  });

  it("stops on an empty page (the last page was exactly full)", () => {
    const p = createPaginator({ type: "OFFSET", offSetName: "offset", limitName: "count", limitValue: 2 });
    p.next(page(2));
    expect(p.next(page(0))).toEqual({ kind: "stop", reason: "empty-page" });
  });

  it("with an end condition, a short page does not stop the read; the condition does", () => {
    const p = createPaginator({
      type: "OFFSET",
      offSetName: "o",
      limitName: "l",
      limitValue: 10,
      endConditionName: "$.hasMore",
      endConditionValue: "Const:false",
    });
    expect(p.next(page(3, { hasMore: true })).kind).toBe("next");
    expect(p.next(page(10, { hasMore: false }))).toEqual({ kind: "stop", reason: "end-condition" });
  });

  it("needs limitName and limitValue", () => {
    expect(() => createPaginator({ type: "OFFSET", offSetName: "o" })).toThrow(/limitName and limitValue/);
  });
});

describe("end conditions (every type; ADF rules behind the Const: prefix)", () => {
  const withEnd = (endConditionName: string, endConditionValue: unknown) =>
    createPaginator({
      type: "CONTINUATION_TOKEN",
      continuationTokenPath: "$.next",
      parameterName: "t",
      endConditionName,
      endConditionValue,
    });
  it.each([
    ["$.hasMore", "Const:false", { hasMore: false, next: "a" }, true],
    ["$.hasMore", "Const:false", { hasMore: "false", next: "a" }, true],
    ["$.hasMore", "Const:false", { hasMore: true, next: "a" }, false],
    ["$.state", "done", { state: "done", next: "a" }, true],
    ["$.n", 0, { n: 0, next: "a" }, true],
    ["$.data", "Empty", { data: [], next: "a" }, true],
    ["$.data", "Empty", { next: "a" }, true],
    ["$.data", "Empty", { data: [1], next: "a" }, false],
    ["$.more", "NonEmpty", { more: "no", next: "a" }, true],
    ["$.last", "Exist", { last: null, next: "a" }, true],
    ["$.next", "NotExist", { other: 1 }, true],
    ["$.next", "NotExist", { next: "a" }, false],
  ])("%s %j on %j → stop %s", (name, value, body, stops) => {
    const step = withEnd(name, value).next(page(1, body));
    if (stops) expect(step).toEqual({ kind: "stop", reason: "end-condition" });
    else expect(step.kind).not.toBe("stop");
  });

  it("needs both fields", () => {
    expect(() => withEnd("$.a", undefined)).toThrow(/needs endConditionValue/);
    expect(() => createPaginator({ type: "NONE", endConditionValue: "Const:1" })).toThrow(/needs endConditionName/);
  });
});

describe("PAGE", () => {
  it("numeric endPageIndex is the last index fetched; initialPageIndex defaults to 0", () => {
    const p = createPaginator({ type: "PAGE", pageParamName: "p", limitName: "n", limitValue: "2", endPageIndex: "1" });
    expect(p.first().query).toEqual({ n: "2", p: "0" });
    expect(query(p.next(page(2)))).toEqual({ n: "2", p: "1" });
    expect(p.next(page(2))).toEqual({ kind: "stop", reason: "end-page-index" });
  });

  it("headers.<name> is the announced page count, from index 0 or 1", () => {
    for (const initialPageIndex of [0, 1]) {
      const p = createPaginator({
        type: "PAGE",
        pageParamName: "page",
        initialPageIndex,
        endPageIndex: "headers.X-PageCount",
      });
      expect(p.first().query).toEqual({ page: String(initialPageIndex) });
      expect(p.next(page(5, {}, { "x-pagecount": "2" })).kind).toBe("next");
      expect(p.next(page(5, {}, { "x-pagecount": "2" }))).toEqual({ kind: "stop", reason: "end-page-index" });
    }
  });

  it("without an end it stops on an empty page, or a short one when a limit is set", () => {
    const open = createPaginator({ type: "PAGE", pageParamName: "page" });
    expect(open.next(page(7)).kind).toBe("next");
    expect(open.next(page(0))).toEqual({ kind: "stop", reason: "empty-page" });
    const limited = createPaginator({ type: "PAGE", pageParamName: "page", limitName: "size", limitValue: 10 });
    expect(limited.next(page(9))).toEqual({ kind: "stop", reason: "short-page" });
  });

  it("fails on a page-count header that is not a number", () => {
    const p = createPaginator({ type: "PAGE", pageParamName: "p", endPageIndex: "headers.x-pagecount" });
    expect(thrown(() => p.next(page(1, {}, { "x-pagecount": "many" }))).kind).toBe("upstream");
  });
});

describe("POINTER", () => {
  const p = () => createPaginator({ type: "POINTER", limitName: "limit", limitValue: 2, pointerPath: "paging.next" });

  it("follows an absolute or relative URL and stops when the pointer is missing or empty", () => {
    const pager = p();
    expect(pager.first().query).toEqual({ limit: "2" });
    expect(pager.next(page(2, { paging: { next: "/v1/x?after=2" } }, {}, "http://h/v1/x?limit=2"))).toEqual({
      kind: "next",
      request: { query: {}, headers: {}, url: "http://h/v1/x?after=2" },
    });
    expect(pager.next(page(2, { paging: { next: "http://h/v1/x?after=4" } }, {}, "http://h/v1/x?after=2")).kind).toBe(
      "next",
    );
    expect(pager.next(page(2, { paging: {} }))).toEqual({ kind: "stop", reason: "no-next-token" });
    expect(p().next(page(2, { paging: { next: "" } }))).toEqual({ kind: "stop", reason: "no-next-token" });
  });

  it("reports a loop when a pointer leads back to a fetched URL", () => {
    const pager = p();
    expect(thrown(() => pager.next(page(2, { paging: { next: "/x" } }, {}, "http://h/x"))).kind).toBe("loop");
  });

  it("refuses a pointer to another origin (it would carry the credentials there)", () => {
    const error = thrown(() => p().next(page(2, { paging: { next: "https://evil.example/steal" } })));
    expect(error.message).toMatch(/another origin/);
  });
});

describe("CONTINUATION_TOKEN", () => {
  it("puts the token in the query (default) or a header, and stops when it is null", () => {
    const q = createPaginator({
      type: "CONTINUATION_TOKEN",
      continuationTokenPath: "$.meta.after_cursor",
      parameterName: "page[after]",
      limitName: "page[size]",
      limitValue: 3,
    });
    expect(q.next(page(3, { meta: { after_cursor: "abc" } }))).toEqual({
      kind: "next",
      request: { query: { "page[size]": "3", "page[after]": "abc" }, headers: {} },
    });
    expect(q.next(page(3, { meta: { after_cursor: null } }))).toEqual({ kind: "stop", reason: "no-next-token" });
    const h = createPaginator({
      type: "CONTINUATION_TOKEN",
      continuationTokenPath: "$.next",
      parameterType: "HEADERPARAM",
      parameterName: "x-cursor",
    });
    expect(h.next(page(1, { next: 42 }))).toEqual({
      kind: "next",
      request: { query: {}, headers: { "x-cursor": "42" } },
    });
  });

  it("reports the same token twice as a loop, and an empty page as the end", () => {
    const p = createPaginator({ type: "CONTINUATION_TOKEN", continuationTokenPath: "$.t", parameterName: "t" });
    p.next(page(1, { t: "same" }));
    expect(thrown(() => p.next(page(1, { t: "same" }))).kind).toBe("loop");
    expect(p.next(page(0, { t: "other" }))).toEqual({ kind: "stop", reason: "empty-page" });
  });
});

describe("common fields", () => {
  it("defaults maximumRequest to 10000 and reads delayRequestMillis for every type", () => {
    for (const type of ["OFFSET", "POINTER", "CONTINUATION_TOKEN", "PAGE", "NONE"]) {
      const p = createPaginator({
        type,
        delayRequestMillis: "850",
        offSetName: "o",
        limitName: "l",
        limitValue: 1,
        pointerPath: "$.n",
        continuationTokenPath: "$.n",
        parameterName: "n",
        pageParamName: "p",
      });
      expect(p).toMatchObject({ type, maximumRequest: 10_000, delayMs: 850 });
    }
    expect(createPaginator({ type: "page", pageParamName: "p", maximumRequest: "3" }).maximumRequest).toBe(3);
  });

  it("treats missing paginationParams as NONE, a single page", () => {
    const p = createPaginator(undefined);
    expect(p.type).toBe("NONE");
    expect(p.next(page(5))).toEqual({ kind: "stop", reason: "single-page" });
  });

  it.each([
    [{ type: "CURSORISH" }, /not one of/],
    [{ type: "OFFSET", offSetName: "o", limitName: "l", limitValue: "ten" }, /integer/],
    [{ type: "OFFSET", offSetName: "o", limitName: "l", limitValue: 0 }, /positive/],
    [{ type: "NONE", maximumRequest: 0 }, /at least 1/],
    [{ type: "NONE", delayRequestMillis: -5 }, /negative/],
    [
      { type: "CONTINUATION_TOKEN", continuationTokenPath: "$.t", parameterName: "t", parameterType: "BODY" },
      /QUERYPARAM or HEADERPARAM/,
    ],
    [{ type: "POINTER" }, /pointerPath/],
    [{ type: "PAGE" }, /pageParamName/],
    ["OFFSET", /must be a JSON object/],
  ])("rejects %j", (params, message) => {
    expect(thrown(() => createPaginator(params)).message).toMatch(message);
  });
});

describe("checkpoints and resume", () => {
  const nextQuery = (p: ReturnType<typeof createPaginator>, n: number) => query(p.next(page(n)));

  it("OFFSET: the next offset, resumed as the same request", () => {
    const fields = { type: "OFFSET", offsetName: "o", limitName: "l", limitValue: 10 };
    const p = createPaginator(fields);
    p.first();
    expect(p.checkpoint()).toBeUndefined();
    nextQuery(p, 10);
    expect(p.checkpoint()).toEqual({ type: "OFFSET", offset: 10 });
    const expected = nextQuery(p, 10);
    const checkpoint = p.checkpoint();
    expect(checkpoint).toEqual({ type: "OFFSET", offset: 20 });
    const resumed = createPaginator(fields);
    expect(resumed.resume(JSON.parse(JSON.stringify(checkpoint)))).toEqual({ query: expected, headers: {} });
    expect(nextQuery(resumed, 10)).toEqual({ l: "10", o: "30" });
  });

  it("PAGE: the next index and the pages fetched, so a header page count still stops in time", () => {
    const fields = { type: "PAGE", pageParamName: "p", initialPageIndex: 1, endPageIndex: "headers.X-Pages" };
    const p = createPaginator(fields);
    p.first();
    nextQuery(p, 5);
    expect(p.checkpoint()).toEqual({ type: "PAGE", index: 2, fetched: 1 });
    const resumed = createPaginator(fields);
    expect(resumed.resume({ type: "PAGE", index: 2, fetched: 1 }).query).toEqual({ p: "2" });
    expect(resumed.next(page(5, {}, { "x-pages": "2" }))).toEqual({ kind: "stop", reason: "end-page-index" });
  });

  it("CONTINUATION_TOKEN: the next token (query or header); loop detection starts fresh with it", () => {
    const fields = { type: "CONTINUATION_TOKEN", continuationTokenPath: "$.next", parameterName: "cursor" };
    const p = createPaginator(fields);
    p.first();
    expect(p.checkpoint()).toBeUndefined();
    nextQuery(p, 3);
    p.next(page(3, { next: "t1" }));
    expect(p.checkpoint()).toEqual({ type: "CONTINUATION_TOKEN", token: "t1" });
    const resumed = createPaginator(fields);
    expect(resumed.resume({ type: "CONTINUATION_TOKEN", token: "t1" }).query).toEqual({ cursor: "t1" });
    expect(thrown(() => resumed.next(page(3, { next: "t1" }))).kind).toBe("loop");
    const header = createPaginator({ ...fields, parameterType: "HEADERPARAM" });
    expect(header.resume({ type: "CONTINUATION_TOKEN", token: "t9" }).headers).toEqual({ cursor: "t9" });
  });

  it("POINTER: the next URL", () => {
    const fields = { type: "POINTER", pointerPath: "$.links.next" };
    const p = createPaginator(fields);
    p.first();
    p.next(page(2, { links: { next: "/x?page=2" } }));
    expect(p.checkpoint()).toEqual({ type: "POINTER", url: "http://h/x?page=2" });
    const resumed = createPaginator(fields);
    expect(resumed.resume({ type: "POINTER", url: "http://h/x?page=2" })).toEqual({
      query: {},
      headers: {},
      url: "http://h/x?page=2",
    });
  });

  it("NONE has no checkpoint; a checkpoint of another type is refused", () => {
    const none = createPaginator(undefined);
    none.next(page(1));
    expect(none.checkpoint()).toBeUndefined();
    expect(thrown(() => none.resume({ type: "OFFSET", offset: 10 })).kind).toBe("spec");
    const offset = createPaginator({ type: "OFFSET", offsetName: "o", limitName: "l", limitValue: 10 });
    expect(thrown(() => offset.resume({ type: "POINTER", url: "http://h/" })).message).toMatch(/Cannot resume/);
  });

  it("an end condition wrapper keeps checkpoint and resume", () => {
    const p = createPaginator({
      type: "OFFSET",
      offsetName: "o",
      limitName: "l",
      limitValue: 10,
      endConditionName: "$.more",
      endConditionValue: "Const:false",
    });
    p.next(page(10, { more: true }));
    expect(p.checkpoint()).toEqual({ type: "OFFSET", offset: 10 });
    expect(p.resume({ type: "OFFSET", offset: 40 }).query).toEqual({ l: "10", o: "40" });
  });
});
