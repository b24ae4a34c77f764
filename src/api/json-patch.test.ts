import { describe, expect, it } from "vitest";
import { FlowError } from "../errors.ts";
import { applyPatch, parsePatch } from "./json-patch.ts";

const doc = { name: "a", auth: { params: { user: "u" } }, list: [1, 2, 3] };

function codeOf(run: () => unknown): number | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof FlowError) return error.code;
    throw error;
  }
  return undefined;
}

describe("JSON Patch", () => {
  it("applies add, replace and remove without mutating the original", () => {
    const patched = applyPatch(
      doc,
      parsePatch([
        { op: "replace", path: "/name", value: "b" },
        { op: "add", path: "/auth/params/domain", value: "us6" },
        { op: "remove", path: "/list/0" },
        { op: "add", path: "/list/-", value: 4 },
      ]),
    );
    expect(patched).toEqual({ name: "b", auth: { params: { user: "u", domain: "us6" } }, list: [2, 3, 4] });
    expect(doc).toEqual({ name: "a", auth: { params: { user: "u" } }, list: [1, 2, 3] });
  });

  it("accepts a single operation object as Adobe's OpenAPI shows it", () => {
    expect(applyPatch(doc, parsePatch({ op: "replace", path: "/name", value: "c" })).name).toBe("c");
  });

  it("answers move and copy with 1434", () => {
    expect(codeOf(() => parsePatch([{ op: "move", from: "/a", path: "/b" }]))).toBe(1434);
  });

  it("refuses paths that do not exist, missing values and prototype segments (1455)", () => {
    expect(codeOf(() => applyPatch(doc, parsePatch([{ op: "replace", path: "/nope", value: 1 }])))).toBe(1455);
    expect(codeOf(() => parsePatch([{ op: "add", path: "/x" }]))).toBe(1455);
    expect(codeOf(() => applyPatch(doc, parsePatch([{ op: "add", path: "/__proto__/polluted", value: 1 }])))).toBe(
      1455,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("fails the whole patch when a test operation does not hold", () => {
    expect(codeOf(() => applyPatch(doc, parsePatch([{ op: "test", path: "/name", value: "z" }])))).toBe(1455);
  });
});
