import { describe, expect, it } from "vitest";
import { checkSvg, maxIconBytes } from "./svg.ts";

const ns = 'xmlns="http://www.w3.org/2000/svg"';
const svg = (body: string, attrs = "") => `<svg ${ns} viewBox="0 0 10 10"${attrs}>${body}</svg>`;
const bytes = (text: string) => new TextEncoder().encode(text);
const errors = (text: string) =>
  checkSvg(bytes(text))
    .filter((f) => f.severity === "error")
    .map((f) => f.message);
const warnings = (text: string) =>
  checkSvg(bytes(text))
    .filter((f) => f.severity === "warning")
    .map((f) => f.message);

describe("checkSvg", () => {
  it.each([
    ["a plain drawing", svg('<rect width="10" height="10" fill="#fff"/>')],
    [
      "an XML declaration, comments and CDATA",
      `<?xml version="1.0" encoding="UTF-8"?>\n<!-- icon -->\n${svg("<style><![CDATA[rect{fill:red}]]></style><rect/>")}\n`,
    ],
    ["local href and url(#id)", svg('<defs><linearGradient id="g"/></defs><rect fill="url(#g)"/><use href="#g"/>')],
    [
      "xlink:href to a local id",
      `<svg ${ns} xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 1 1"><use xlink:href="#a"/></svg>`,
    ],
    ["character and predefined entity references", svg("<title>A &amp; B &#169; &#x263A;</title>")],
    ["a prefixed svg root", '<s:svg xmlns:s="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><s:rect/></s:svg>'],
    ["a byte order mark", `\uFEFF${svg("<rect/>")}`],
  ])("accepts %s", (_name, text) => {
    expect(errors(text)).toEqual([]);
  });

  it.each([
    ["an unclosed element", `<svg ${ns}><g><rect/>`, /not well-formed XML: <g> opened at 1:\d+ is never closed/],
    ["mismatched tags", svg("<g></rect>"), /not well-formed XML: <\/rect> does not match <g>/],
    ["an unquoted attribute", `<svg ${ns} width=10></svg>`, /must be quoted/],
    ["a duplicate attribute", `<svg ${ns} width="1" width="2"></svg>`, /duplicate attribute width/],
    ["a stray ampersand", svg("<title>A & B</title>"), /"&" must start a reference/],
    ["an undefined entity", svg("<title>&nbsp;</title>"), /undefined entity &nbsp;/],
    ["two roots", `${svg("")}<svg ${ns}/>`, /only one root element/],
    ["text after the root", `${svg("")} trailing`, /text is not allowed after the root/],
    ["an undeclared prefix", svg('<use xlink:href="#a"/>'), /prefix "xlink" .* is not declared/],
    ["an empty file", "", /empty/],
    ["a control character", svg("\u0001"), /U\+0001 is not allowed/],
    ["a late XML declaration", `${svg("")}<?xml version="1.0"?>`, /only allowed at the very start/],
    ["a double hyphen in a comment", svg("<!-- a -- b -->"), /"--" is not allowed inside a comment/],
  ])("rejects %s as not well-formed", (_name, text, pattern) => {
    expect(errors(text).join("\n")).toMatch(pattern);
  });

  it("gives the line and column of a syntax error", () => {
    const findings = checkSvg(bytes(`<svg ${ns}>\n  <g>\n  </rect>\n</svg>`));
    expect(findings[0]).toMatchObject({ severity: "error", line: 3, column: 3 });
  });

  it.each([
    [
      "a non-svg root",
      '<html xmlns="http://www.w3.org/1999/xhtml"></html>',
      /root element is <html>; an icon's root must be <svg>/,
    ],
    [
      "an svg root without the namespace",
      '<svg viewBox="0 0 1 1"><rect/></svg>',
      /does not declare xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    ],
    [
      "an svg root in another namespace",
      '<svg xmlns="http://example.com/svg"/>',
      /in the namespace http:\/\/example.com\/svg/,
    ],
    ["a script element", svg("<script>alert(1)</script>"), /<script> is not allowed/],
    ["a script in another case", svg("<SCRIPT>alert(1)</SCRIPT>"), /<script> is not allowed/],
    ["an onload handler", svg("", ' onload="alert(1)"'), /event handler onload on <svg>/],
    ["an onclick handler on a child", svg('<rect onClick="x()"/>'), /event handler onClick on <rect>/],
    ["foreignObject", svg("<foreignObject><div/></foreignObject>"), /<foreignObject> is not allowed/],
    [
      "an external href",
      svg('<image href="https://example.com/a.png"/>'),
      /href="https:\/\/example.com\/a.png" on <image> is an external reference/,
    ],
    [
      "an external xlink:href",
      `<svg ${ns} xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="other.svg#a"/></svg>`,
      /xlink:href="other.svg#a" on <use> is an external reference/,
    ],
    ["a javascript: href", svg('<a href="javascript:alert(1)"><rect/></a>'), /external reference/],
    ["an entity-encoded javascript: href", svg('<a href="&#106;avascript:alert(1)"/>'), /href="javascript:alert\(1\)"/],
    ["an svg data: URI", svg('<use href="data:image/svg+xml;base64,PHN2Zz4="/>'), /external reference/],
    [
      "url(http…) in a style attribute",
      svg('<rect style="fill:url(http://evil.example/x.svg#p)"/>'),
      /external resource url\(http:\/\/evil.example\/x.svg#p\)/,
    ],
    [
      "url(//…) in a presentation attribute",
      svg('<rect fill="url(//evil.example/p)"/>'),
      /external resource url\(\/\/evil.example\/p\)/,
    ],
    ["@import in a style element", svg('<style>@import "https://evil.example/x.css";</style>'), /uses @import/],
    [
      "url() in a style element",
      svg("<style>rect{background:url('https://x.example/a.png')}</style>"),
      /external resource/,
    ],
    ["a CSS-escaped @import", svg("<style>@\\69mport 'x.css';</style>"), /uses @import/],
    [
      "a DOCTYPE",
      `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">${svg("")}`,
      /<!DOCTYPE> is not allowed.*external DTD/,
    ],
    [
      "an ENTITY (billion laughs)",
      `<!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;">]>${svg("<title>&b;</title>")}`,
      /<!ENTITY> declarations are not allowed/,
    ],
    ["an XXE", `<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>${svg("<title>&x;</title>")}`, /<!ENTITY>/],
    ["an xml-stylesheet instruction", `<?xml-stylesheet href="https://x.example/a.css"?>${svg("")}`, /xml-stylesheet/],
    [
      "an animation that sets href",
      svg('<a><set attributeName="href" to="javascript:alert(1)"/></a>'),
      /animates href/,
    ],
    ["an iframe", svg('<iframe src="https://x.example"/>'), /<iframe> is not allowed/],
    ["an HTML element", svg('<div xmlns="http://www.w3.org/1999/xhtml"/>'), /HTML element/],
    ["xml:base", svg('<g xml:base="https://x.example/"/>'), /xml:base/],
    ["a file that is too big", svg(`<desc>${"x".repeat(maxIconBytes)}</desc>`), /keep it under 100 KiB/],
    ["invalid UTF-8", "\u0000", /U\+0000|not valid UTF-8/],
    ["a non-UTF-8 encoding", `<?xml version="1.0" encoding="ISO-8859-1"?>${svg("")}`, /must be UTF-8/],
  ])("rejects %s", (_name, text, pattern) => {
    expect(errors(text).join("\n")).toMatch(pattern);
  });

  it("rejects bytes that are not UTF-8", () => {
    expect(checkSvg(new Uint8Array([0x3c, 0xff, 0xfe]))[0]?.message).toMatch(/not valid UTF-8/);
  });

  it("accepts an inlined raster image with a warning (nothing is fetched)", () => {
    const text = svg('<image href="data:image/png;base64,iVBORw0KGgo="/>');
    expect(errors(text)).toEqual([]);
    expect(warnings(text).join("\n")).toMatch(/inlines a raster image/);
  });

  it("warns about a missing viewBox and editor metadata, without failing", () => {
    const text = `<svg ${ns} xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"><sodipodi:namedview/></svg>`;
    expect(errors(text)).toEqual([]);
    expect(warnings(text).join("\n")).toMatch(/no viewBox[\s\S]*sodipodi:namedview/);
  });

  it("still reports a script in a file that is also malformed", () => {
    const found = errors(svg("<script>x</script><g>"));
    expect(found.some((m) => m.includes("not well-formed"))).toBe(true);
    expect(found.some((m) => m.includes("<script>"))).toBe(true);
  });

  it("does not expand entities, so a billion-laughs file stays cheap", () => {
    const lol = `<!DOCTYPE svg [${Array.from({ length: 10 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join("")}]>`;
    const started = performance.now();
    const found = errors(`${lol}${svg("<title>&l10;</title>")}`);
    expect(performance.now() - started).toBeLessThan(500);
    expect(found.join("\n")).toMatch(/DOCTYPE/);
  });
});
