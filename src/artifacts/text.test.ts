import { describe, expect, it } from "vitest";
import { checkCategory, checkDescription, checkLabel, decodeText, descriptionMaxChars, labelMaxChars } from "./text.ts";

const messages = (result: { findings: readonly { severity: string; message: string }[] }, severity = "error") =>
  result.findings.filter((f) => f.severity === severity).map((f) => f.message);

describe("checkLabel", () => {
  it("accepts one short line, trimming the trailing newline", () => {
    expect(checkLabel("Mailchimp Members\n")).toEqual({ value: "Mailchimp Members", findings: [] });
  });

  it(`accepts exactly ${labelMaxChars} characters and rejects one more`, () => {
    expect(messages(checkLabel("x".repeat(labelMaxChars)))).toEqual([]);
    expect(messages(checkLabel("x".repeat(labelMaxChars + 1)))).toEqual([
      `the label is ${labelMaxChars + 1} characters; at most ${labelMaxChars} fit the catalog`,
    ]);
  });

  it("counts characters, not UTF-16 units", () => {
    expect(messages(checkLabel("😀".repeat(labelMaxChars)))).toEqual([]);
  });

  it("rejects an empty label and one on two lines", () => {
    expect(messages(checkLabel("  \n\n"))).toEqual(["the label is empty"]);
    expect(messages(checkLabel("Mailchimp\nMembers"))).toEqual(["the label must be a single line; it has 2"]);
  });

  it("rejects control characters and warns about markup", () => {
    expect(messages(checkLabel("Mail\u0007chimp"))).toEqual(["the label contains control characters"]);
    expect(messages(checkLabel("<b>Mailchimp</b>"), "warning")[0]).toMatch(/markup/);
  });
});

describe("checkDescription", () => {
  it("joins lines and accepts up to the limit", () => {
    expect(checkDescription("Members of\na list.\n").value).toBe("Members of a list.");
    expect(messages(checkDescription("x".repeat(descriptionMaxChars)))).toEqual([]);
  });

  it("rejects an empty or too long description", () => {
    expect(messages(checkDescription("\n"))).toEqual(["the description is empty"]);
    expect(messages(checkDescription("x".repeat(descriptionMaxChars + 1)))[0]).toMatch(
      `is ${descriptionMaxChars + 1} characters; keep it to at most ${descriptionMaxChars}`,
    );
  });
});

describe("checkCategory", () => {
  it("accepts a canonical key silently", () => {
    expect(checkCategory("marketingAutomation\n")).toEqual({ value: "marketingAutomation", findings: [] });
  });

  it("accepts case and space variants with a warning naming the key", () => {
    const result = checkCategory("Marketing Automation");
    expect(result.value).toBe("marketingAutomation");
    expect(messages(result)).toEqual([]);
    expect(messages(result, "warning")[0]).toContain('accepted as "marketingAutomation"');
  });

  it("rejects an unknown category and suggests the nearest key", () => {
    const result = checkCategory("marketing automaton");
    expect(result.value).toBeUndefined();
    expect(messages(result)).toEqual([
      '"marketing automaton" is not a known category; did you mean "marketingAutomation"?',
    ]);
  });

  it("rejects an empty file and several lines", () => {
    expect(messages(checkCategory(""))).toEqual(["the category file is empty"]);
    expect(messages(checkCategory("crm\nanalytics"))[0]).toMatch(/one key/);
  });
});

describe("decodeText", () => {
  it("rejects invalid UTF-8, strips a BOM with a warning, normalises CRLF", () => {
    expect(messages(decodeText(new Uint8Array([0xff])))).toEqual(["the file is not valid UTF-8 text"]);
    const bom = decodeText(new TextEncoder().encode("\uFEFFa\r\nb"));
    expect(bom.value).toBe("a\nb");
    expect(messages(bom, "warning")[0]).toMatch(/byte order mark/);
  });
});
