import { describe, expect, it } from "vitest";
import { jsonErrorPosition, parseJsonText } from "./json-text.ts";

describe("parseJsonText", () => {
  it("parses JSON, also after a byte order mark", () => {
    expect(parseJsonText('{"a": [1, true, null, "x"]}')).toEqual({ ok: true, value: { a: [1, true, null, "x"] } });
    expect(parseJsonText('\uFEFF{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it("names line, column and position even where Node's message does not", () => {
    const result = parseJsonText('{"name": "x",\n  "type": }');
    expect(result).toMatchObject({ ok: false, line: 2, column: 11, position: 24 });
    if (!result.ok) expect(result.message).toBe("Unexpected token '}'");
  });

  it.each([
    ['{"a":1', 6],
    ["", 0],
    ['{"a":1}x', 7],
    ["[1,2,,]", 5],
    ['{"a":1,}', 7],
    ["[1 2]", 3],
    ['{"a" 1}', 5],
    ['"\\q"', 2],
    ["01", 1],
    ["tru", 0],
  ])("finds the first mistake of %j at %i", (text, position) => {
    expect(jsonErrorPosition(text)).toBe(position);
    expect(parseJsonText(text)).toMatchObject({ ok: false, position });
  });

  it("agrees with JSON.parse on valid input, deep input included", () => {
    for (const text of [
      "0",
      "-1.5e3",
      '"\\u00e9"',
      "[]",
      "{}",
      '{"a":{"b":[{"c":null}]}}',
      "[".repeat(100_000) + "]".repeat(100_000),
    ]) {
      expect(jsonErrorPosition(text)).toBeUndefined();
    }
    expect(jsonErrorPosition("[".repeat(100_000))).toBe(100_000);
  });
});
