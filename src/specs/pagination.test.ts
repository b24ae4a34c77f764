import { describe, expect, it } from "vitest";
import { lintConnectionSpec } from "./index.ts";
import { at, attributesOf, errorPointers, errors, members, warnings } from "./test-support.ts";

const base = "/sourceSpec/attributes/paginationParams";

function lintPagination(paginationParams: unknown) {
  const spec = members();
  attributesOf(spec).paginationParams = paginationParams;
  return lintConnectionSpec(spec);
}

describe("paginationParams: every type, valid", () => {
  it.each([
    ["OFFSET", { type: "OFFSET", limitName: "count", limitValue: "100", offSetName: "offset" }],
    [
      "OFFSET with offsetName and an end condition",
      {
        type: "OFFSET",
        limitName: "limit",
        limitValue: 50,
        offsetName: "start",
        endConditionName: "$.hasMore",
        endConditionValue: "Const:false",
      },
    ],
    ["POINTER", { type: "POINTER", limitName: "limit", limitValue: "100", pointerPath: "$.paging.next" }],
    ["POINTER without a limit", { type: "POINTER", pointerPath: "paging.next" }],
    [
      "CONTINUATION_TOKEN",
      {
        type: "CONTINUATION_TOKEN",
        continuationTokenPath: "$.meta.after_cursor",
        parameterType: "QUERYPARAM",
        parameterName: "page[after]",
        delayRequestMillis: "850",
      },
    ],
    [
      "CONTINUATION_TOKEN in a header",
      {
        type: "CONTINUATION_TOKEN",
        continuationTokenPath: "$.next",
        parameterType: "HEADERPARAM",
        parameterName: "X-Cursor",
      },
    ],
    [
      "PAGE",
      {
        type: "PAGE",
        limitName: "pageSize",
        limitValue: "100",
        pageParamName: "pageNumber",
        initialPageIndex: "1",
        endPageIndex: "headers.x-pagecount",
        maximumRequest: "500",
      },
    ],
    [
      "PAGE with a numeric end",
      {
        type: "PAGE",
        limitName: "pageSize",
        limitValue: 100,
        pageParamName: "page",
        initialPageIndex: 0,
        endPageIndex: "9",
      },
    ],
    ["NONE", { type: "NONE" }],
  ])("%s", (_label, params) => {
    expect(lintPagination(params).problems).toEqual([]);
  });
});

describe("paginationParams: every type, invalid", () => {
  it("OFFSET needs limitName, limitValue and offSetName", () => {
    const report = lintPagination({ type: "OFFSET" });
    expect(errorPointers(report)).toEqual([`${base}/limitName`, `${base}/limitValue`, `${base}/offSetName`]);
    expect(at(report, `${base}/offSetName`)[0]?.message).toMatch(/offsetName is accepted too/);
  });

  it("OFFSET: endConditionName and endConditionValue go together, and the name is a JSONPath", () => {
    const fields = { type: "OFFSET", limitName: "l", limitValue: 1, offSetName: "o" };
    expect(errorPointers(lintPagination({ ...fields, endConditionName: "$.hasMore" }))).toEqual([
      `${base}/endConditionValue`,
    ]);
    expect(errorPointers(lintPagination({ ...fields, endConditionValue: "Const:false" }))).toEqual([
      `${base}/endConditionName`,
    ]);
    expect(errorPointers(lintPagination({ ...fields, endConditionName: "$[", endConditionValue: "false" }))).toEqual([
      `${base}/endConditionName`,
    ]);
  });

  it("POINTER needs pointerPath (the older name pointer is read, with a warning)", () => {
    expect(errorPointers(lintPagination({ type: "POINTER", limitName: "l", limitValue: 5 }))).toEqual([
      `${base}/pointerPath`,
    ]);
    const older = lintPagination({ type: "POINTER", pointer: "$.next" });
    expect(older.valid).toBe(true);
    expect(warnings(older)[0]?.pointer).toBe(`${base}/pointer`);
  });

  it("CONTINUATION_TOKEN needs continuationTokenPath, parameterType (QUERYPARAM|HEADERPARAM) and parameterName", () => {
    expect(errorPointers(lintPagination({ type: "CONTINUATION_TOKEN" }))).toEqual([
      `${base}/continuationTokenPath`,
      `${base}/parameterType`,
      `${base}/parameterName`,
    ]);
    const report = lintPagination({
      type: "CONTINUATION_TOKEN",
      continuationTokenPath: "$.t",
      parameterType: "BODY",
      parameterName: "t",
    });
    expect(errors(report)[0]).toMatchObject({ pointer: `${base}/parameterType` });
    expect(errors(report)[0]?.message).toMatch(/QUERYPARAM or HEADERPARAM/);
  });

  it("PAGE needs pageParamName, warns without a limit, and checks endPageIndex", () => {
    expect(errorPointers(lintPagination({ type: "PAGE" }))).toEqual([`${base}/pageParamName`]);
    const noLimit = lintPagination({ type: "PAGE", pageParamName: "page" });
    expect(noLimit.valid).toBe(true);
    expect(warnings(noLimit)[0]?.message).toMatch(/no limitName\/limitValue/);
    expect(errorPointers(lintPagination({ type: "PAGE", pageParamName: "p", endPageIndex: "last" }))).toEqual([
      `${base}/endPageIndex`,
    ]);
  });

  it("NONE warns about fields it does not use", () => {
    const report = lintPagination({ type: "NONE", limitName: "count", pageSize: 3 });
    expect(report.valid).toBe(true);
    expect(warnings(report).map((w) => w.pointer)).toEqual([`${base}/limitName`, `${base}/pageSize`]);
    expect(warnings(report)[0]?.message).toMatch(
      /not used by NONE pagination \(only by OFFSET, POINTER, CONTINUATION_TOKEN, PAGE\)/,
    );
  });

  it("rejects an unknown or missing type, listing the five", () => {
    const unknown = lintPagination({ type: "CURSOR" });
    expect(errorPointers(unknown)).toEqual([`${base}/type`]);
    expect(errors(unknown)[0]?.message).toMatch(/OFFSET, POINTER, CONTINUATION_TOKEN, PAGE, NONE/);
    expect(errors(lintPagination({ type: "OFSET" }))[0]?.message).toMatch(/did you mean "OFFSET"/);
    expect(errorPointers(lintPagination({ limitName: "l" }))).toEqual([`${base}/type`]);
  });

  it("accepts a lower-case type with a warning", () => {
    const report = lintPagination({ type: "none" });
    expect(report.valid).toBe(true);
    expect(warnings(report)[0]?.message).toMatch(/upper case: "NONE"/);
  });
});

describe("paginationParams: numbers", () => {
  const offset = { type: "OFFSET", limitName: "count", offSetName: "offset" };

  it("accepts numeric strings and numbers alike", () => {
    for (const limitValue of ["100", 100, " 25 "])
      expect(lintPagination({ ...offset, limitValue }).problems).toEqual([]);
  });

  it.each([
    ["limitValue", "ten"],
    ["limitValue", 2.5],
    ["delayRequestMillis", "fast"],
    ["maximumRequest", true],
    ["initialPageIndex", "first"],
  ])("rejects a non-numeric %s (%s)", (field, value) => {
    const report = lintPagination({ ...offset, limitValue: 10, [field]: value });
    expect(errorPointers(report)).toEqual([`${base}/${field}`]);
    expect(errors(report)[0]?.message).toMatch(/must be an integer \(a numeric string such as "100" is accepted\)/);
  });

  it("rejects out-of-range and oversized numbers", () => {
    expect(errorPointers(lintPagination({ ...offset, limitValue: "0" }))).toEqual([`${base}/limitValue`]);
    expect(errorPointers(lintPagination({ ...offset, limitValue: 5, delayRequestMillis: -1 }))).toEqual([
      `${base}/delayRequestMillis`,
    ]);
    const huge = lintPagination({ ...offset, limitValue: "123456789012345678901234567890" });
    expect(errors(huge)[0]?.message).toMatch(/not a usable integer/);
  });
});
