import { describe, expect, it } from "vitest";
import { EngineError } from "./errors.ts";
import { compilePath } from "./json-path.ts";

const body = {
  a: { b: 1 },
  data: [{ items: [1, 2] }],
  items: [{ keep: true }, { keep: false }],
  paging: { next: "x" },
};

describe("compilePath", () => {
  it.each([
    ["$.a.b", ["a", "b"], true, "b", [1]],
    ["a.b", ["a", "b"], true, "b", [1]],
    ["$['a']", ["a"], true, "a", [{ b: 1 }]],
    ["paging.next", ["paging", "next"], true, "next", ["x"]],
    ["$.data[0].items", undefined, true, "items", [[1, 2]]],
    ["$.items[*]", undefined, false, "items", [{ keep: true }, { keep: false }]],
    ["$.items[?@.keep == true]", undefined, false, "items", [{ keep: true }]],
  ])("%s: keys %j, singular %s, last name %s", (path, keys, singular, lastName, selected) => {
    const compiled = compilePath(path, "t");
    expect(compiled.keys).toEqual(keys);
    expect(compiled.singular).toBe(singular);
    expect(compiled.lastName).toBe(lastName);
    expect(compiled.select(body)).toEqual(selected);
  });

  it("walks own properties only, never the prototype chain", () => {
    expect(compilePath("$.constructor", "t").first({})).toBeUndefined();
    expect(compilePath("$.__proto__", "t").first({})).toBeUndefined();
    expect(compilePath("$.a.toString", "t").select(body)).toEqual([]);
  });

  it.each([
    ["a script payload", "$..[?(@.constructor.constructor('return process')())]", /not a valid RFC 9535 JSONPath/],
    ["an unknown function", "$[?(eval('1'))]", /eval\(\): only length\(\), count\(\), value\(\) are/],
    ["a regex function (ReDoS)", "$[?match(@.a, '(a+)+$')]", /match\(\): regular-expression functions/],
    ["search()", "$.items[?search(@.name, 'x')]", /search\(\)/],
    ["an empty path", "  ", /non-empty JSONPath/],
  ])("rejects %s with a spec error", (_what, path, message) => {
    let caught: unknown;
    try {
      compilePath(path, "contentPath.path");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EngineError);
    expect((caught as EngineError).kind).toBe("spec");
    expect((caught as Error).message).toMatch(message);
  });
});
