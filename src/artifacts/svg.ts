/**
 * Checks a catalog icon (spec §8: "must be SVG") without rendering or evaluating anything: a
 * strict XML parse, an `<svg>` root in the SVG namespace, and nothing active or external — no
 * script, event handler, foreignObject, DOCTYPE/ENTITY, external href, `url(…)` to another
 * resource, `@import` or stylesheet instruction.
 */
import { parseXml, type XmlAttribute, type XmlElement, type XmlPosition } from "./xml.ts";

export const svgNamespace = "http://www.w3.org/2000/svg";
const xlinkNamespace = "http://www.w3.org/1999/xlink";
const xhtmlNamespace = "http://www.w3.org/1999/xhtml";

/** Icons are small drawings; anything bigger is almost certainly an embedded bitmap or a mistake. */
export const maxIconBytes = 100 * 1024;

export interface SvgFinding {
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** Raster images inlined as data: URIs are self-contained (nothing is fetched, nothing runs). */
const inlineRaster = /^data:image\/(png|jpeg|gif|webp);base64,/i;
/** Elements that run code, embed other documents or pull in other resources. */
const forbiddenElements = new Map<string, string>([
  ["script", "<script> is not allowed: icons must not run code"],
  ["foreignobject", "<foreignObject> is not allowed: it embeds HTML, which can run code or load content"],
  ["iframe", "<iframe> is not allowed: icons must not embed other documents"],
  ["embed", "<embed> is not allowed: icons must not embed other documents"],
  ["object", "<object> is not allowed: icons must not embed other documents"],
  ["handler", "<handler> is not allowed: icons must not run code"],
  ["listener", "<listener> is not allowed: icons must not run code"],
]);
const animationElements = new Set(["set", "animate", "animatemotion", "animatetransform", "discard"]);

function at(position: XmlPosition | undefined): Pick<SvgFinding, "line" | "column"> {
  return position ? { line: position.line, column: position.column } : {};
}

/** `url(x)` targets in CSS or presentation attributes that point outside the document. */
function externalUrls(css: string): string[] {
  const found: string[] = [];
  for (const match of css.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi)) {
    const target = (match[2] ?? "").trim();
    if (!target.startsWith("#")) found.push(target);
  }
  return found;
}

function cssFindings(css: string, where: string, position: XmlPosition): SvgFinding[] {
  const findings: SvgFinding[] = [];
  const unescaped = css.replace(/\\([0-9a-fA-F]{1,6})\s?/g, (_m, hex: string) =>
    String.fromCodePoint(Math.min(Number.parseInt(hex, 16), 0x10ffff)),
  );
  if (/@import/i.test(unescaped)) {
    findings.push({
      severity: "error",
      message: `${where} uses @import, which loads an external stylesheet`,
      ...at(position),
    });
  }
  for (const target of externalUrls(unescaped)) {
    findings.push({
      severity: "error",
      message: `${where} references the external resource url(${target}); only local references like url(#id) are allowed`,
      ...at(position),
    });
  }
  if (/expression\s*\(|javascript:|behavior\s*:|-moz-binding/i.test(unescaped)) {
    findings.push({ severity: "error", message: `${where} contains script-like CSS`, ...at(position) });
  }
  return findings;
}

function hrefFindings(element: XmlElement, attribute: XmlAttribute): SvgFinding[] {
  const value = attribute.value.trim();
  if (value.startsWith("#")) return [];
  if (inlineRaster.test(value) && element.local === "image") {
    return [
      {
        severity: "warning",
        message: `<image ${attribute.name}> inlines a raster image; a vector drawing scales better`,
        ...at(attribute),
      },
    ];
  }
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return [
    {
      severity: "error",
      message: `${attribute.name}="${shown}" on <${element.name}> is an external reference; only local references like "#id" are allowed`,
      ...at(attribute),
    },
  ];
}

function attributeFindings(element: XmlElement, attribute: XmlAttribute): SvgFinding[] {
  const local = attribute.local.toLowerCase();
  if (attribute.namespace === "http://www.w3.org/2000/xmlns/") return [];
  if (/^on/i.test(attribute.local)) {
    return [
      {
        severity: "error",
        message: `the event handler ${attribute.name} on <${element.name}> is not allowed: icons must not run code`,
        ...at(attribute),
      },
    ];
  }
  if (local === "href" && (attribute.namespace === undefined || attribute.namespace === xlinkNamespace)) {
    return hrefFindings(element, attribute);
  }
  if (attribute.name === "xml:base") {
    return [
      {
        severity: "error",
        message: "xml:base is not allowed: it points references at another location",
        ...at(attribute),
      },
    ];
  }
  const findings: SvgFinding[] = [];
  if (/javascript:/i.test(attribute.value.replace(/\s+/g, ""))) {
    findings.push({
      severity: "error",
      message: `${attribute.name} on <${element.name}> contains a javascript: URL`,
      ...at(attribute),
    });
  }
  if (local === "style" || /url\(|@import/i.test(attribute.value)) {
    findings.push(...cssFindings(attribute.value, `${attribute.name} on <${element.name}>`, attribute));
  }
  if (animationElements.has(element.local.toLowerCase()) && local === "attributename") {
    const target = attribute.value.trim().toLowerCase();
    if (/(^|:)href$/.test(target) || target.startsWith("on")) {
      findings.push({
        severity: "error",
        message: `<${element.name}> animates ${attribute.value}, which can turn into a link or a script`,
        ...at(attribute),
      });
    }
  }
  return findings;
}

function elementFindings(element: XmlElement): SvgFinding[] {
  const findings: SvgFinding[] = [];
  const local = element.local.toLowerCase();
  const forbidden = forbiddenElements.get(local);
  if (forbidden) findings.push({ severity: "error", message: forbidden, ...at(element) });
  else if (element.namespace === xhtmlNamespace) {
    findings.push({
      severity: "error",
      message: `<${element.name}> is an HTML element; icons must be pure SVG`,
      ...at(element),
    });
  } else if (element.namespace !== undefined && element.namespace !== svgNamespace) {
    findings.push({
      severity: "warning",
      message: `<${element.name}> is not an SVG element (namespace ${element.namespace ?? "none"}); editor metadata can be removed`,
      ...at(element),
    });
  }
  if (local === "style") findings.push(...cssFindings(element.text, "<style>", element));
  for (const attribute of element.attributes) findings.push(...attributeFindings(element, attribute));
  for (const child of element.children) findings.push(...elementFindings(child));
  return findings;
}

/** Checks the bytes of an icon file. Never throws. */
export function checkSvg(bytes: Uint8Array): SvgFinding[] {
  if (bytes.byteLength === 0) return [{ severity: "error", message: "the icon file is empty" }];
  if (bytes.byteLength > maxIconBytes) {
    return [
      {
        severity: "error",
        message: `the icon is ${bytes.byteLength} bytes; keep it under ${maxIconBytes / 1024} KiB (a simple vector drawing)`,
      },
    ];
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return [{ severity: "error", message: "the icon is not valid UTF-8 text" }];
  }
  const document = parseXml(text);
  const findings: SvgFinding[] = [];
  const encoding = document.declaredEncoding?.toLowerCase();
  if (encoding !== undefined && encoding !== "utf-8" && encoding !== "utf8" && encoding !== "us-ascii") {
    findings.push({
      severity: "error",
      message: `the XML declaration says encoding="${document.declaredEncoding}"; icons must be UTF-8`,
    });
  }
  if (document.doctype) {
    findings.push({
      severity: "error",
      message:
        "<!DOCTYPE> is not allowed: DTDs enable entity expansion and external loading (XXE, billion laughs)" +
        (document.doctype.externalId ? "; this one references an external DTD" : ""),
      ...at(document.doctype),
    });
    if (document.doctype.declaresEntities) {
      findings.push({
        severity: "error",
        message: "<!ENTITY> declarations are not allowed (XXE, billion laughs)",
        ...at(document.doctype),
      });
    }
  }
  if (document.error) {
    findings.push({
      severity: "error",
      message: `not well-formed XML: ${document.error.message}`,
      ...at(document.error),
    });
  }
  for (const instruction of document.instructions) {
    if (instruction.target.toLowerCase() === "xml-stylesheet") {
      findings.push({
        severity: "error",
        message: "<?xml-stylesheet?> is not allowed: it loads an external stylesheet",
        ...at(instruction),
      });
    } else {
      findings.push({
        severity: "warning",
        message: `the processing instruction <?${instruction.target}?> is ignored; remove it`,
        ...at(instruction),
      });
    }
  }
  const root = document.root;
  if (!root) return findings;
  if (root.local !== "svg") {
    findings.push({
      severity: "error",
      message: `the root element is <${root.name}>; an icon's root must be <svg>`,
      ...at(root),
    });
  } else if (root.namespace !== svgNamespace) {
    findings.push({
      severity: "error",
      message:
        root.namespace === undefined
          ? `the root <svg> does not declare xmlns="${svgNamespace}"; without it the file is not SVG`
          : `the root <svg> is in the namespace ${root.namespace}, not ${svgNamespace}`,
      ...at(root),
    });
  } else if (!root.attributes.some((a) => a.name === "viewBox")) {
    findings.push({
      severity: "warning",
      message: "the root <svg> has no viewBox, so the icon may not scale",
      ...at(root),
    });
  }
  findings.push(...elementFindings(root));
  return findings;
}
