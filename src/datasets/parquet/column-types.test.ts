import { describe, expect, it } from "vitest";
import { columnTypes, duckType, readJsonColumns } from "./column-types.ts";

describe("DuckDB column types from JSON Schema", () => {
  it("maps scalars, nullable unions, dates, nested objects and arrays", () => {
    expect(duckType({ type: ["integer", "null"] })).toBe("BIGINT");
    expect(duckType({ type: "string", format: "date" })).toBe("DATE");
    expect(duckType({ type: "array", items: { type: "object", properties: { a: { type: "number" } } } })).toBe(
      'STRUCT("a" DOUBLE)[]',
    );
  });

  it("keeps values with no single type as JSON text", () => {
    expect(duckType({ type: ["string", "integer"] })).toBe("JSON");
    expect(duckType({ type: "object" })).toBe("JSON");
    expect(duckType({ type: "array" })).toBe("JSON");
  });

  it("quotes hostile property names in identifiers and literals", () => {
    const schema = {
      type: "object",
      properties: { "it's": { type: "object", properties: { 'a"b': { type: "string" } } } },
    };
    expect(readJsonColumns(schema)).toBe(`{'it''s': 'STRUCT("a""b" VARCHAR)'}`);
  });

  it("refuses names DuckDB cannot bind: empty, or equal but for case (also inside structs)", () => {
    expect(() => columnTypes({ type: "object", properties: { "": { type: "string" } } })).toThrow(/empty name/);
    expect(() => columnTypes({ type: "object", properties: { id: {}, ID: {} } })).toThrow(/differ only in case/);
    const nested = { type: "object", properties: { s: { type: "object", properties: { x: {}, X: {} } } } };
    expect(() => columnTypes(nested)).toThrow(/differ only in case/);
  });

  it("refuses a schema with no properties", () => {
    expect(() => columnTypes({ type: "object", properties: {} })).toThrow(/object schema with properties/);
  });
});
