import { describe, expect, it } from "vitest";
import { Redactor } from "./redact.ts";

describe("Redactor", () => {
  it("masks a secret in its raw, URL-encoded, form-encoded and JSON-escaped spellings", () => {
    const r = new Redactor();
    r.add('p@ss w/"rd');
    const text = [
      'p@ss w/"rd',
      encodeURIComponent('p@ss w/"rd'),
      encodeURIComponent('p@ss w/"rd').replace(/%20/g, "+"),
      JSON.stringify({ v: 'p@ss w/"rd' }),
    ].join(" | ");
    expect(r.text(text)).toBe('[REDACTED] | [REDACTED] | [REDACTED] | {"v":"[REDACTED]"}');
  });

  it("masks the longer of two overlapping secrets whole", () => {
    const r = new Redactor();
    r.add("abc");
    r.add("abcdef");
    expect(r.text("x abcdef y abc")).toBe("x [REDACTED] y [REDACTED]");
  });

  it("masks credential headers by name and other headers by value", () => {
    const r = new Redactor();
    r.add("key-123");
    expect(
      r.headers(
        { Authorization: "Basic x", Cookie: "a=b", "X-Api-Key": "other", "X-Echo": "v=key-123" },
        new Set(["x-api-key"]),
      ),
    ).toEqual({
      Authorization: "[REDACTED]",
      Cookie: "[REDACTED]",
      "X-Api-Key": "[REDACTED]",
      "X-Echo": "v=[REDACTED]",
    });
  });

  it("ignores non-strings and values too short to mask safely", () => {
    const r = new Redactor();
    r.add(undefined);
    r.add(12345);
    r.add("ab");
    expect(r.text("ab 12345")).toBe("ab 12345");
  });
});
