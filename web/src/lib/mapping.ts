/**
 * The dataflow step's logic: a dataset schema proposed from the preview, mapping rows (source path
 * or expression → dataset field) auto-mapped by name, their checks before anything is sent, the
 * mapping set body (docs/mapping.md), and the server's problems put back on their rows.
 */
import { joinPath, type Leaf, leaves, pathName, schemaType } from "./fields.ts";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

export type SourceType = "ATTRIBUTE" | "EXPRESSION";

export interface MappingRow {
  readonly sourceType: SourceType;
  readonly source: string;
  readonly destination: string;
}

export const fieldTypes = ["string", "integer", "number", "boolean", "date-time", "date", "array", "json"] as const;
export type FieldType = (typeof fieldTypes)[number];

/** A field of a dataset being created. */
export interface ProposedField {
  readonly include: boolean;
  readonly name: string;
  readonly type: FieldType;
  /** The source path it was proposed from ("" for a field added by hand). */
  readonly source: string;
  /** The item schema of an array field, as explore inferred it (simplified). */
  readonly items?: Json | undefined;
}

/** The mapping path grammar of docs/mapping.md: names with optional [index]es, dot-separated. */
const pathPattern = /^[^\s.[\](),'"]+(\[(0|[1-9]\d{0,6})\])*(\.[^\s.[\](),'"]+(\[(0|[1-9]\d{0,6})\])*)*$/;

export function isPath(text: string): boolean {
  return pathPattern.test(text);
}

/** A destination: names only, no indexes. */
export function isNamePath(text: string): boolean {
  return text.split(".").every((name) => pathName.test(name));
}

function fieldTypeOf(leaf: Leaf): FieldType {
  if (leaf.type === "string" && (leaf.format === "date-time" || leaf.format === "date")) return leaf.format;
  if (
    leaf.type === "string" ||
    leaf.type === "integer" ||
    leaf.type === "number" ||
    leaf.type === "boolean" ||
    leaf.type === "array"
  ) {
    return leaf.type;
  }
  if (leaf.type === "object") return "json";
  // never seen with a value in the preview: text is the least surprising guess
  return leaf.type === "null" ? "string" : "json";
}

function simpleItems(items: unknown): Json | undefined {
  if (!isObject(items)) return undefined;
  const type = schemaType(items);
  return ["string", "integer", "number", "boolean"].includes(type) ? { type } : undefined;
}

/** A dataset field name from a source name: what a destination path can hold. */
export function fieldName(text: string): string {
  const cleaned = text.replace(/[\s.[\](),'"]+/g, "_").replace(/^_+|_+$/g, "");
  return cleaned === "" || cleaned === "__proto__" ? "field" : cleaned;
}

/**
 * Dataset fields proposed from a preview's record schema: one top-level field per leaf, named after
 * the leaf's last name; when two leaves share it (case-insensitively, as DuckDB columns do), the
 * later ones take as many parent names as needed (`merge_fields_FNAME`), then a number.
 */
export function proposeFields(recordSchema: unknown): ProposedField[] {
  const taken = new Set<string>();
  const out: ProposedField[] = [];
  for (const leaf of leaves(recordSchema)) {
    if (leaf.path === undefined) continue; // cannot be named in a mapping
    let name = fieldName(leaf.segments[leaf.segments.length - 1] as string);
    for (let back = 2; taken.has(name.toLowerCase()) && back <= leaf.segments.length; back += 1) {
      name = fieldName(leaf.segments.slice(-back).join("_"));
    }
    const base = name;
    for (let n = 2; taken.has(name.toLowerCase()); n += 1) name = `${base}_${n}`;
    taken.add(name.toLowerCase());
    const type = fieldTypeOf(leaf);
    out.push({
      include: true,
      name,
      type,
      source: leaf.path,
      ...(type === "array" ? { items: simpleItems(leaf.schema.items) } : {}),
    });
  }
  return out;
}

function fieldSchema(field: ProposedField): Json {
  switch (field.type) {
    case "date-time":
    case "date":
      return { type: "string", format: field.type };
    case "array":
      return field.items ? { type: "array", items: field.items } : { type: "array" };
    case "json":
      return {};
    default:
      return { type: field.type };
  }
}

/** The row schema of a new dataset (docs/mapping.md: draft-07, at least one property). */
export function datasetSchema(fields: readonly ProposedField[]): Json {
  const properties: Json = {};
  for (const field of fields) if (field.include) properties[field.name] = fieldSchema(field);
  return { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties };
}

export interface FieldProblem {
  readonly index: number;
  readonly message: string;
}

/** What the Catalog would refuse about new fields, found before sending. */
export function fieldProblems(fields: readonly ProposedField[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Map<string, number>();
  fields.forEach((field, index) => {
    if (!field.include) return;
    if (field.name.trim() === "") problems.push({ index, message: "Give the field a name." });
    else if (!pathName.test(field.name) || field.name === "__proto__") {
      problems.push({ index, message: "Names cannot hold spaces, dots, brackets, parentheses, commas or quotes." });
    } else {
      const other = seen.get(field.name.toLowerCase());
      if (other !== undefined)
        problems.push({ index, message: `Same name as field ${other + 1} (names ignore case).` });
      else seen.set(field.name.toLowerCase(), index);
    }
  });
  if (!fields.some((field) => field.include)) problems.push({ index: -1, message: "Include at least one field." });
  return problems;
}

export interface Destination {
  readonly path: string;
  readonly type: string;
}

/** The fields a mapping can write: the name paths of a dataset's row schema. */
export function destinationsOf(schema: unknown): Destination[] {
  return leaves(schema)
    .filter((leaf) => leaf.path !== undefined)
    .map((leaf) => ({ path: leaf.path as string, type: leaf.format ?? leaf.type }));
}

const comparable = (name: string) => name.replace(/[_\-\s]/g, "").toLowerCase();

/**
 * The source path to map to each destination, by name: the same path; else the same path ignoring
 * case; else a source whose last name matches the destination's last name (ignoring case, `_` and
 * `-`), the shortest such path when several do.
 */
export function autoMap(sources: readonly string[], destinations: readonly string[]): MappingRow[] {
  const rows: MappingRow[] = [];
  const used = new Set<string>();
  for (const destination of destinations) {
    const last = comparable(destination.split(".").pop() ?? destination);
    const candidates = [
      sources.filter((s) => s === destination),
      sources.filter((s) => s.toLowerCase() === destination.toLowerCase()),
      sources.filter((s) => comparable(s.split(".").pop() ?? s) === last),
    ];
    for (const found of candidates) {
      const pick = found.filter((s) => !used.has(s)).sort((a, b) => a.length - b.length || a.localeCompare(b))[0];
      if (pick !== undefined) {
        used.add(pick);
        rows.push({ sourceType: "ATTRIBUTE", source: pick, destination });
        break;
      }
    }
  }
  return rows;
}

/**
 * Rows kept in step with the destinations: rows whose destination is gone are dropped, rows the
 * person wrote stay, and destinations without a row get one by name when a source matches.
 */
export function syncRows(
  rows: readonly MappingRow[],
  sources: readonly string[],
  destinations: readonly string[],
): MappingRow[] {
  const kept = rows.filter((row) => row.destination === "" || destinations.includes(row.destination));
  const mapped = new Set(kept.map((row) => row.destination));
  const added = autoMap(
    sources.filter((s) => !kept.some((row) => row.sourceType === "ATTRIBUTE" && row.source === s)),
    destinations.filter((d) => !mapped.has(d)),
  );
  return [...kept, ...added];
}

/** For a dataset proposed from the preview: each included field mapped from the source it came from. */
export function rowsForProposal(fields: readonly ProposedField[]): MappingRow[] {
  return fields
    .filter((field) => field.include && field.source !== "")
    .map((field) => ({ sourceType: "ATTRIBUTE" as const, source: field.source, destination: field.name }));
}

export const expressionFunctions = [
  "lower",
  "upper",
  "trim",
  "concat",
  "coalesce",
  "to_string",
  "to_integer",
  "to_float",
  "to_bool",
  "to_datetime",
  "now",
] as const;

/**
 * A quick check of an expression before the server's full one (docs/mapping.md grammar): quotes
 * closed, parentheses balanced, known function names. Undefined when nothing is wrong.
 */
export function expressionProblem(text: string): string | undefined {
  if (text.trim() === "") return "Write an expression, e.g. lower(member.email_address).";
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) return `The text starting at character ${i + 1} is not closed with ${c}.`;
      i = j;
    } else if (c === "(") {
      const name = /([A-Za-z_][\w]*)\s*$/.exec(text.slice(0, i))?.[1];
      if (name === undefined) return `Parenthesis at character ${i + 1} does not follow a function name.`;
      if (!(expressionFunctions as readonly string[]).includes(name)) {
        return `Unknown function ${name}(); use one of ${expressionFunctions.join(", ")}.`;
      }
      depth += 1;
    } else if (c === ")") {
      depth -= 1;
      if (depth < 0) return `Parenthesis at character ${i + 1} closes nothing.`;
    }
  }
  return depth > 0 ? "A parenthesis is not closed." : undefined;
}

export interface RowProblem {
  readonly row: number;
  readonly field: "source" | "destination" | "row";
  readonly message: string;
}

/** What the Data Prep API would refuse about the rows (1419), found before sending. */
export function rowProblems(rows: readonly MappingRow[], destinations: readonly string[]): RowProblem[] {
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    if (row.sourceType === "ATTRIBUTE") {
      if (row.source.trim() === "") problems.push({ row: index, field: "source", message: "Choose a source field." });
      else if (!isPath(row.source)) {
        problems.push({
          row: index,
          field: "source",
          message: "Not a field path (e.g. member.email_address or items[0].id).",
        });
      }
    } else {
      const problem = expressionProblem(row.source);
      if (problem) problems.push({ row: index, field: "source", message: problem });
    }
    if (row.destination === "") {
      problems.push({ row: index, field: "destination", message: "Choose a dataset field." });
      return;
    }
    if (!destinations.includes(row.destination)) {
      problems.push({ row: index, field: "destination", message: `The dataset has no field ${row.destination}.` });
    }
    const other = seen.get(row.destination);
    if (other !== undefined) {
      problems.push({
        row: index,
        field: "destination",
        message: `Row ${other + 1} writes ${row.destination} already.`,
      });
    } else {
      for (const [path, at] of seen) {
        if (path.startsWith(`${row.destination}.`) || row.destination.startsWith(`${path}.`)) {
          problems.push({ row: index, field: "destination", message: `Overlaps row ${at + 1} (${path}).` });
        }
      }
      seen.set(row.destination, index);
    }
  });
  if (rows.length === 0) problems.push({ row: -1, field: "row", message: "Add at least one mapping." });
  return problems;
}

/** The POST /conversion/mappingSets body (docs/mapping.md, second dialect). */
export function mappingSetBody(rows: readonly MappingRow[], dataSetId: string): Json {
  return {
    dataSetId,
    mappings: rows.map((row) => ({
      sourceType: row.sourceType,
      source: row.source.trim(),
      destination: row.destination,
    })),
  };
}

/** The server's problems (`/mappings/3/source`) on their rows. */
export function serverRowProblems(problems: ReadonlyArray<{ pointer?: unknown; message?: unknown }>): RowProblem[] {
  return problems.map((problem) => {
    const match = /^\/mappings\/(\d+)(?:\/(\w+))?/.exec(String(problem.pointer ?? ""));
    const field = match?.[2] === "destination" ? "destination" : match?.[2] === "source" ? "source" : "row";
    return { row: match ? Number(match[1]) : -1, field, message: String(problem.message ?? "is not valid") };
  });
}

/** The source paths offered to the mapping editor (preview leaves that a path can name). */
export function sourcePaths(recordSchema: unknown): string[] {
  return leaves(recordSchema)
    .map((leaf) => leaf.path)
    .filter((path): path is string => path !== undefined);
}

export { joinPath };
