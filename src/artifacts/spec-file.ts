/**
 * The `{source}-connectionSpec.json` artifact: parsed with a position on malformed JSON, linted
 * with the connection-spec linter, and compared with the other artifacts (category, label,
 * description) so the catalog and the spec say the same thing.
 */
import { canonicalCategory, lintConnectionSpec, parseJsonText } from "../specs/index.ts";
import type { Finding } from "./types.ts";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
const child = (v: unknown, key: string): unknown => (isObject(v) && Object.hasOwn(v, key) ? v[key] : undefined);

export interface SpecResult {
  readonly spec?: Json;
  readonly findings: readonly Finding[];
}

export function checkConnectionSpecText(text: string): SpecResult {
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    const { message, line, column } = parsed;
    return { findings: [{ severity: "error", message: `malformed JSON: ${message}`, line, column }] };
  }
  if (!isObject(parsed.value)) {
    return { findings: [{ severity: "error", pointer: "", message: "the connection spec must be a JSON object" }] };
  }
  const spec = parsed.value;
  const findings: Finding[] = [];
  const report = lintConnectionSpec(spec);
  for (const problem of report.problems) {
    findings.push({ severity: problem.severity, pointer: problem.pointer, message: problem.message });
  }
  const id = child(spec, "id");
  if (id === undefined) {
    findings.push({
      severity: "warning",
      pointer: "/id",
      message: "no id: give the spec a fixed UUID so `inlet artifacts register` can find it again and stay idempotent",
    });
  } else if (typeof id !== "string" || !uuidPattern.test(id)) {
    findings.push({ severity: "error", pointer: "/id", message: "the id must be a UUID" });
  }
  return { spec, findings };
}

const uiPath = "/sourceSpec/attributes/uiAttributes";

function uiAttributes(spec: Json): unknown {
  return child(child(child(spec, "sourceSpec"), "attributes"), "uiAttributes");
}

/** A `{key}` or `{text}` value of uiAttributes, whichever is set. */
function keyOrText(value: unknown): { key?: string; text?: string } {
  const key = child(value, "key");
  const text = child(value, "text");
  return { ...(typeof key === "string" ? { key } : {}), ...(typeof text === "string" ? { text } : {}) };
}

export interface OtherArtifacts {
  readonly category?: string;
  readonly label?: string;
  readonly description?: string;
}

/** Warnings where the spec disagrees with the category, label or description files. */
export function crossCheck(spec: Json, artifacts: OtherArtifacts): Finding[] {
  const findings: Finding[] = [];
  const ui = uiAttributes(spec);
  const category = keyOrText(child(ui, "category"));
  const written = category.key ?? category.text;
  if (artifacts.category !== undefined) {
    if (written === undefined) {
      findings.push({
        severity: "warning",
        pointer: `${uiPath}/category`,
        message: `the spec has no uiAttributes.category.key; the category file says "${artifacts.category}"`,
      });
    } else if (canonicalCategory(written) !== artifacts.category) {
      findings.push({
        severity: "warning",
        pointer: `${uiPath}/category/${category.key === undefined ? "text" : "key"}`,
        message: `the spec's category "${written}" differs from the category file's "${artifacts.category}"`,
      });
    }
  }
  const label = keyOrText(child(ui, "label")).text;
  if (label !== undefined && artifacts.label !== undefined && label.trim() !== artifacts.label) {
    findings.push({
      severity: "warning",
      pointer: `${uiPath}/label/text`,
      message: `the spec's label text "${label}" differs from the label file's "${artifacts.label}"`,
    });
  }
  const description = keyOrText(child(ui, "description")).text;
  if (
    description !== undefined &&
    artifacts.description !== undefined &&
    description.replace(/\s+/g, " ").trim() !== artifacts.description
  ) {
    findings.push({
      severity: "warning",
      pointer: `${uiPath}/description/text`,
      message: "the spec's description text differs from the description file",
    });
  }
  return findings;
}
