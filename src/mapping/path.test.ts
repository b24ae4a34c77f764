import { describe, expect, it } from "vitest";
import { compileGetter, type FieldPath, formatPath, parsePath } from "./path.ts";

const read = (path: string, record: unknown) => compileGetter(parsePath(path) as FieldPath)(record);

describe("field paths", () => {
  it("parses dotted names with [n] indexes", () => {
    expect(parsePath("member.email")).toEqual([{ key: "member" }, { key: "email" }]);
    expect(parsePath("results[0].id")).toEqual([{ key: "results" }, { index: 0 }, { key: "id" }]);
    expect(parsePath("a.b[2][10].c")).toEqual([{ key: "a" }, { key: "b" }, { index: 2 }, { index: 10 }, { key: "c" }]);
  });

  it("takes names Adobe and real APIs use: _tenant, @id, xdm:x, 2fa, first-name, unicode", () => {
    for (const name of ["_tenant.id", "@id", "xdm:identityMap", "2fa", "first-name", "prénom", "$value", "a/b"]) {
      expect(parsePath(name), name).toBeDefined();
    }
  });

  it("refuses what is not a path", () => {
    const bad = [
      "",
      ".a",
      "a.",
      "a..b",
      "a[x]",
      "a[-1]",
      "a[01]",
      "a[",
      "a]",
      "[0]",
      "a b",
      "a(b)",
      "a,b",
      'a"b',
      "a'b",
      "a.[0]",
    ];
    for (const text of bad) expect(parsePath(text), text).toBeUndefined();
    expect(parsePath("a".repeat(2000))).toBeUndefined();
    expect(parsePath("a[99999999]")).toBeUndefined();
  });

  it("formats back to text", () => {
    expect(formatPath(parsePath("a.b[2][0].c") as FieldPath)).toBe("a.b[2][0].c");
  });

  it("reads nested values, indexes and missing parts", () => {
    const record = { member: { email: "a@b.c", tags: ["x", "y"], list: [{ id: 1 }] } };
    expect(read("member.email", record)).toBe("a@b.c");
    expect(read("member.tags[1]", record)).toBe("y");
    expect(read("member.list[0].id", record)).toBe(1);
    expect(read("member.list[5].id", record)).toBeUndefined();
    expect(read("member.email.length", record)).toBeUndefined();
    expect(read("member.tags.length", record)).toBeUndefined();
    expect(read("a.b.c.d.e", { a: { b: { c: { d: { e: 5 } } } } })).toBe(5);
    expect(read("a.b.c.d.e", { a: { b: null } })).toBeUndefined();
    expect(read("a[0]", { a: "not an array" })).toBeUndefined();
  });

  it("never reads through the prototype chain", () => {
    expect(read("constructor", {})).toBeUndefined();
    expect(read("a.constructor.name", { a: {} })).toBeUndefined();
    expect(read("__proto__", {})).toBeUndefined();
    expect(read("toString", { a: 1 })).toBeUndefined();
    expect(read("a.hasOwnProperty", { a: {} })).toBeUndefined();
    // A record that really has such fields (JSON.parse makes them own properties) is read as data.
    const parsed = JSON.parse('{"constructor": "c", "__proto__": {"x": 1}}');
    expect(read("constructor", parsed)).toBe("c");
    expect(read("__proto__.x", parsed)).toBe(1);
  });
});
