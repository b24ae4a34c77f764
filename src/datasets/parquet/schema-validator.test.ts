import { describe, expect, it } from "vitest";
import { compileRecordCheck } from "./schema-validator.ts";

const schema = {
  type: "object",
  properties: {
    id: { type: ["integer", "null"] },
    small: { type: "integer", minimum: 0, maximum: 10 },
    anything: { type: ["integer", "number"] },
    nested: { type: "object", properties: { counts: { type: "array", items: { type: "integer" } } } },
    choice: { enum: [{ type: "integer", value: 2 ** 60 }] },
  },
};

describe("compileRecordCheck", () => {
  const check = compileRecordCheck(schema);

  it("accepts integers up to 2^53 - 1 in integer columns, at any depth", () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(check({ id: max, nested: { counts: [-max, 0, max] } })).toBeUndefined();
  });

  it("fails a record whose integer column holds a number past 2^53, naming where (DuckDB would fail the batch)", () => {
    expect(check({ id: 2 ** 64 })).toBe("/id must be <= 9007199254740991");
    expect(check({ nested: { counts: [1, -(2 ** 63)] } })).toBe("/nested/counts/1 must be >= -9007199254740991");
  });

  it("keeps a schema's own tighter bounds, and leaves columns that are not integers alone", () => {
    expect(check({ small: 11 })).toBe("/small must be <= 10");
    expect(check({ anything: 2 ** 60 })).toBeUndefined();
    expect(check({ choice: { type: "integer", value: 2 ** 60 } })).toBeUndefined();
  });
});
