import { describe, expect, it } from "vitest";
import { inferSchema, integerBounds } from "./preview.ts";

describe("inferSchema", () => {
  it("describes flat scalar fields", () => {
    expect(inferSchema([{ id: 1, name: "a", ok: true, score: 1.5 }])).toEqual({
      type: "object",
      properties: {
        id: { type: "integer", ...integerBounds },
        name: { type: "string" },
        ok: { type: "boolean" },
        score: { type: "number" },
      },
    });
  });

  it("marks integers with the ±2^53 bounds of spec §4.8", () => {
    const schema = inferSchema([{ n: 7 }]);
    expect(schema.properties?.n).toEqual({ type: "integer", minimum: -9007199254740992, maximum: 9007199254740991 });
  });

  it("nests objects and arrays of objects", () => {
    const schema = inferSchema([{ member: { tags: [{ id: 1, name: "x" }], merge: { FNAME: "X" } } }]);
    expect(schema.properties?.member).toEqual({
      type: "object",
      properties: {
        tags: {
          type: "array",
          items: {
            type: "object",
            properties: { id: { type: "integer", ...integerBounds }, name: { type: "string" } },
          },
        },
        merge: { type: "object", properties: { FNAME: { type: "string" } } },
      },
    });
  });

  it("merges properties seen in different records", () => {
    const schema = inferSchema([{ a: 1 }, { b: "x" }]);
    expect(Object.keys(schema.properties ?? {})).toEqual(["a", "b"]);
  });

  it("widens integer and fraction to number without bounds", () => {
    expect(inferSchema([{ v: 1 }, { v: 2.5 }]).properties?.v).toEqual({ type: "number" });
  });

  it("makes a field nullable when a record holds null", () => {
    expect(inferSchema([{ v: "a" }, { v: null }]).properties?.v).toEqual({ type: ["string", "null"] });
  });

  it("lists every type of a mixed field", () => {
    expect(inferSchema([{ v: "a" }, { v: true }]).properties?.v).toEqual({ type: ["boolean", "string"] });
  });

  it("merges the item types of arrays across records", () => {
    expect(inferSchema([{ v: [1] }, { v: ["x", null] }]).properties?.v).toEqual({
      type: "array",
      items: { type: ["integer", "string", "null"], ...integerBounds },
    });
  });

  it("gives an empty array empty items", () => {
    expect(inferSchema([{ v: [] }]).properties?.v).toEqual({ type: "array", items: {} });
  });

  it("describes no records as an empty object", () => {
    expect(inferSchema([])).toEqual({ type: "object", properties: {} });
  });

  it("keeps a field that is only null as type null", () => {
    expect(inferSchema([{ v: null }]).properties?.v).toEqual({ type: "null" });
  });
});
