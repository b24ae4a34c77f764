/**
 * Reading a mapping set in either dialect of spec §1.7 and finding everything wrong with it:
 *   (a) `{xdmSchema, xdmVersion, mappings:[{destinationXdmPath, sourceAttribute, identity, version}]}`
 *   (b) `{mappings:[{sourceType:"ATTRIBUTE"|"EXPRESSION", source, destination, name?, description?}]}`
 * Each entry may use either dialect (a `sourceType` is honoured in both; it defaults to ATTRIBUTE).
 * The schema a set targets is named by `xdmSchema`, by Data Prep's `outputSchema.schemaRef.id`, or
 * (our extension) by `dataSetId`.
 */
import type { JsonSchema } from "../datasets/dataset-sink.ts";
import { FlowError, type Problem } from "../errors.ts";
import { type DestinationType, resolveDestination } from "./destinations.ts";
import { compileExpression, type Evaluator } from "./evaluate.ts";
import { ExpressionSyntaxError } from "./expression.ts";
import type { EvaluationContext } from "./functions.ts";
import { compileGetter, formatPath, isNamePath, parsePath } from "./path.ts";

export const sourceTypes = ["ATTRIBUTE", "EXPRESSION"] as const;
export type SourceType = (typeof sourceTypes)[number];
export const maxMappings = 1000;
const datasetIdPattern = /^[0-9a-f]{24}$/;

export interface MappingEntry {
  /** JSON Pointer of the entry, e.g. `/mappings/3`. */
  readonly pointer: string;
  readonly sourceType: SourceType;
  readonly source: string;
  readonly destination: string;
  readonly sourceField: "source" | "sourceAttribute";
  readonly destinationField: "destination" | "destinationXdmPath";
}

export interface MappingSetReading {
  readonly entries: readonly MappingEntry[];
  /** The schema the set names (`xdmSchema` or `outputSchema.schemaRef.id`), if any. */
  readonly schemaId: string | undefined;
  readonly dataSetId: string | undefined;
  readonly problems: readonly Problem[];
}

export interface AnalysedEntry extends MappingEntry {
  readonly evaluate: Evaluator;
  readonly destinationKeys: readonly string[];
  readonly destinationType: DestinationType;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const error = (pointer: string, message: string): Problem => ({ pointer, message, severity: "error" });

function optionalString(
  doc: Record<string, unknown>,
  key: string,
  problems: Problem[],
  pointer = `/${key}`,
): string | undefined {
  const value = doc[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    problems.push(error(pointer, "must be a non-empty string"));
    return undefined;
  }
  return value;
}

function readEntry(raw: unknown, pointer: string, problems: Problem[]): MappingEntry | undefined {
  if (!isRecord(raw)) {
    problems.push(error(pointer, "must be an object"));
    return undefined;
  }
  const dialectA = raw.sourceAttribute !== undefined || raw.destinationXdmPath !== undefined;
  const dialectB = raw.source !== undefined || raw.destination !== undefined;
  if (dialectA && dialectB) {
    problems.push(error(pointer, "uses both source/destination and sourceAttribute/destinationXdmPath; use one pair"));
    return undefined;
  }
  const sourceField = dialectA ? "sourceAttribute" : "source";
  const destinationField = dialectA ? "destinationXdmPath" : "destination";
  let sourceType: SourceType = "ATTRIBUTE";
  if (raw.sourceType !== undefined) {
    if (!sourceTypes.includes(raw.sourceType as SourceType)) {
      problems.push(error(`${pointer}/sourceType`, `must be one of ${sourceTypes.join(", ")}`));
      return undefined;
    }
    sourceType = raw.sourceType as SourceType;
  }
  const before = problems.length;
  for (const [field, label] of [
    [sourceField, "a source"],
    [destinationField, "a destination"],
  ] as const) {
    const value = raw[field];
    if (typeof value !== "string" || value.trim() === "")
      problems.push(error(`${pointer}/${field}`, `must be ${label} string`));
  }
  for (const field of ["name", "description", "identityGroup", "namespaceCode"]) {
    if (raw[field] !== undefined && raw[field] !== null && typeof raw[field] !== "string") {
      problems.push(error(`${pointer}/${field}`, "must be a string"));
    }
  }
  if (raw.identity !== undefined && typeof raw.identity !== "boolean")
    problems.push(error(`${pointer}/identity`, "must be a boolean"));
  if (problems.length > before) return undefined;
  return {
    pointer,
    sourceType,
    source: (raw[sourceField] as string).trim(),
    destination: (raw[destinationField] as string).trim(),
    sourceField,
    destinationField,
  };
}

/** The entries and schema reference of a mapping set, with every structural problem. */
export function readMappingSet(doc: unknown): MappingSetReading {
  const problems: Problem[] = [];
  if (!isRecord(doc)) {
    return { entries: [], schemaId: undefined, dataSetId: undefined, problems: [error("/", "must be an object")] };
  }
  const xdmSchema = optionalString(doc, "xdmSchema", problems);
  let outputSchemaId: string | undefined;
  if (doc.outputSchema !== undefined && doc.outputSchema !== null) {
    const schemaRef = isRecord(doc.outputSchema) ? doc.outputSchema.schemaRef : undefined;
    if (isRecord(schemaRef)) outputSchemaId = optionalString(schemaRef, "id", problems, "/outputSchema/schemaRef/id");
    else problems.push(error("/outputSchema", "must be an object with schemaRef.id"));
  }
  if (xdmSchema !== undefined && outputSchemaId !== undefined && xdmSchema !== outputSchemaId) {
    problems.push(error("/outputSchema/schemaRef/id", "names another schema than xdmSchema"));
  }
  const dataSetId = optionalString(doc, "dataSetId", problems);
  if (dataSetId !== undefined && !datasetIdPattern.test(dataSetId)) {
    problems.push(error("/dataSetId", "must be a dataset id (24 lowercase hex characters)"));
  }
  for (const field of ["name", "description"]) {
    if (doc[field] !== undefined && doc[field] !== null && typeof doc[field] !== "string") {
      problems.push(error(`/${field}`, "must be a string"));
    }
  }
  const entries: MappingEntry[] = [];
  const mappings = doc.mappings;
  if (!Array.isArray(mappings) || mappings.length === 0) {
    problems.push(error("/mappings", "must be a non-empty array"));
  } else if (mappings.length > maxMappings) {
    problems.push(error("/mappings", `has ${mappings.length} entries; at most ${maxMappings} are allowed`));
  } else {
    mappings.forEach((raw, index) => {
      const entry = readEntry(raw, `/mappings/${index}`, problems);
      if (entry) entries.push(entry);
    });
  }
  return { entries, schemaId: xdmSchema ?? outputSchemaId, dataSetId, problems };
}

const unusedContext: EvaluationContext = { now: () => new Date() };

/**
 * Compiles every entry's source and checks its destination (against the dataset schema when one
 * is given). Problems are collected, not thrown, so a caller can report them all at once.
 */
export function analyseEntries(
  entries: readonly MappingEntry[],
  schema: JsonSchema | undefined,
  context: EvaluationContext = unusedContext,
): { readonly analysed: AnalysedEntry[]; readonly problems: Problem[] } {
  const problems: Problem[] = [];
  const analysed: AnalysedEntry[] = [];
  const claimed = new Map<string, string>();
  for (const entry of entries) {
    const sourcePointer = `${entry.pointer}/${entry.sourceField}`;
    const destinationPointer = `${entry.pointer}/${entry.destinationField}`;
    let evaluate: Evaluator | undefined;
    if (entry.sourceType === "ATTRIBUTE") {
      const path = parsePath(entry.source);
      if (path) evaluate = compileGetter(path);
      else {
        problems.push(
          error(
            sourcePointer,
            `"${clip(entry.source)}" is not a field path (use dotted names with optional [n] indexes)`,
          ),
        );
      }
    } else {
      try {
        evaluate = compileExpression(entry.source, context);
      } catch (caught) {
        if (!(caught instanceof ExpressionSyntaxError)) throw caught;
        problems.push(
          error(sourcePointer, `invalid expression at character ${caught.position + 1}: ${caught.message}`),
        );
      }
    }
    const path = parsePath(entry.destination);
    if (!path || !isNamePath(path)) {
      problems.push(
        error(destinationPointer, `"${clip(entry.destination)}" is not a destination path (dotted names, no indexes)`),
      );
      continue;
    }
    const keys = path.map((segment) => segment.key);
    if (keys.includes("__proto__")) {
      problems.push(error(destinationPointer, '"__proto__" cannot be a destination name'));
      continue;
    }
    const conflict = findConflict(claimed, keys, entry.pointer);
    if (conflict) {
      problems.push(error(destinationPointer, conflict));
      continue;
    }
    let destinationType: DestinationType = "any";
    if (schema) {
      const resolved = resolveDestination(schema, path);
      if (!resolved.ok) {
        problems.push(error(destinationPointer, `destination ${formatPath(path)}: ${resolved.problem}`));
        continue;
      }
      destinationType = resolved.type;
    }
    if (evaluate) analysed.push({ ...entry, evaluate, destinationKeys: keys, destinationType });
  }
  return { analysed, problems };
}

/** Two entries may not write the same destination, nor one inside the other's (`a` and `a.b`). */
function findConflict(claimed: Map<string, string>, keys: readonly string[], pointer: string): string | undefined {
  const joined = keys.join("\u0000");
  for (const [other, otherPointer] of claimed) {
    if (other === joined) return `destination ${keys.join(".")} is also written by ${otherPointer}`;
    if (joined.startsWith(`${other}\u0000`) || other.startsWith(`${joined}\u0000`)) {
      return `destination ${keys.join(".")} overlaps ${other.split("\u0000").join(".")} written by ${otherPointer}`;
    }
  }
  claimed.set(joined, pointer);
  return undefined;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** FlowError 1419 listing the problems (the first few in the message, all in the report). */
export function mappingInvalid(problems: readonly Problem[]): FlowError {
  const shown = problems.slice(0, 10).map((p) => `${p.pointer} ${p.message}`);
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : "";
  return new FlowError(
    "mappingInvalid",
    `The mapping set has ${problems.length} problem(s): ${shown.join("; ")}${more}`,
    {
      problems,
    },
  );
}
