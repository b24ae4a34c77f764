/**
 * The three text artifacts (spec §8): the catalog label, the short description and the category
 * key. Limits are ours (the docs give none): a label fits a catalog card, a description fits its
 * tooltip.
 */
import { canonicalCategory, nearestCategory } from "../specs/index.ts";
import type { Finding } from "./types.ts";

export const labelMaxChars = 50;
export const descriptionMaxChars = 300;

export interface TextResult<T> {
  readonly value?: T;
  readonly findings: readonly Finding[];
}

/** Decodes UTF-8 strictly; a BOM is tolerated with a warning, CRLF becomes LF. */
export function decodeText(bytes: Uint8Array): TextResult<string> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { findings: [{ severity: "error", message: "the file is not valid UTF-8 text" }] };
  }
  const findings: Finding[] = [];
  if (text.startsWith("\uFEFF")) {
    text = text.slice(1);
    findings.push({
      severity: "warning",
      message: "the file starts with a byte order mark; save it as UTF-8 without BOM",
    });
  }
  return { value: text.replace(/\r\n?/g, "\n"), findings };
}

const charCount = (text: string): number => [...text].length;
/** C0 controls other than tab and line feed, and DEL. */
const hasControlChars = (text: string): boolean =>
  [...text].some((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && code !== 0x09 && code !== 0x0a) || code === 0x7f;
  });

function nonEmptyLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

function commonChecks(text: string, what: string): Finding[] {
  const findings: Finding[] = [];
  if (hasControlChars(text)) findings.push({ severity: "error", message: `the ${what} contains control characters` });
  if (/<\/?[A-Za-z!][^>]*>/.test(text)) {
    findings.push({
      severity: "warning",
      message: `the ${what} looks like it contains markup; it is shown as plain text`,
    });
  }
  return findings;
}

/** The catalog display name: one line, 1–50 characters. */
export function checkLabel(raw: string): TextResult<string> {
  const lines = nonEmptyLines(raw);
  if (lines.length === 0) return { findings: [{ severity: "error", message: "the label is empty" }] };
  const findings: Finding[] = [];
  if (lines.length > 1) {
    findings.push({ severity: "error", message: `the label must be a single line; it has ${lines.length}` });
  }
  const label = lines.join(" ");
  const length = charCount(label);
  if (length > labelMaxChars) {
    findings.push({
      severity: "error",
      message: `the label is ${length} characters; at most ${labelMaxChars} fit the catalog`,
    });
  }
  findings.push(...commonChecks(label, "label"));
  return { value: label, findings };
}

/** The short description: non-empty, at most 300 characters (line breaks count as spaces). */
export function checkDescription(raw: string): TextResult<string> {
  const description = nonEmptyLines(raw).join(" ").replace(/\s+/g, " ");
  if (description === "") return { findings: [{ severity: "error", message: "the description is empty" }] };
  const findings: Finding[] = [];
  const length = charCount(description);
  if (length > descriptionMaxChars) {
    findings.push({
      severity: "error",
      message: `the description is ${length} characters; keep it to at most ${descriptionMaxChars}`,
    });
  }
  findings.push(...commonChecks(description, "description"));
  return { value: description, findings };
}

/**
 * The category: one canonical key (spec §8). Case and space variants ("Marketing Automation")
 * are accepted with a note; anything else is an error naming the nearest key.
 */
export function checkCategory(raw: string): TextResult<string> {
  const lines = nonEmptyLines(raw);
  if (lines.length === 0) return { findings: [{ severity: "error", message: "the category file is empty" }] };
  if (lines.length > 1) {
    return {
      findings: [{ severity: "error", message: `the category file must hold one key; it has ${lines.length} lines` }],
    };
  }
  const text = lines[0] as string;
  const key = canonicalCategory(text);
  if (key === undefined) {
    return {
      findings: [
        { severity: "error", message: `"${text}" is not a known category; did you mean "${nearestCategory(text)}"?` },
      ],
    };
  }
  const findings: Finding[] =
    key === text
      ? []
      : [{ severity: "warning", message: `"${text}" is accepted as "${key}"; write the canonical key` }];
  return { value: key, findings };
}
