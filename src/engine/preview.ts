/**
 * Explore/preview (spec §5): one live request (first page), at most N records after extraction,
 * and a JSON Schema of one record: the spec's custom `schema` when it has one (spec §4.8), else
 * inferred from the sample.
 */
import { EngineError } from "./errors.ts";
import { sourceSettings } from "./plan.ts";
import { type ReadRequest, type ReadWindow, readRecords } from "./read.ts";

export interface PreviewRequest extends ReadRequest {
  /** At most this many records (default 100). */
  readonly limit?: number;
}

/** What explore returns for an SDK source (spec §5). */
export interface Preview {
  readonly format: "hierarchical";
  readonly schema: object;
  readonly data: Record<string, unknown>[];
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
}

/** The bounds explore puts on integers (spec §4.8): the range of an IEEE double's exact integers. */
export const integerBounds = { minimum: -9007199254740992, maximum: 9007199254740991 } as const;

export const defaultPreviewLimit = 100;

const jsonTypes = ["null", "boolean", "integer", "number", "string", "object", "array"] as const;
type JsonType = (typeof jsonTypes)[number];

/** Everything seen at one position of the records, merged across records. */
interface Shape {
  readonly types: Set<JsonType>;
  readonly properties: Map<string, Shape>;
  items?: Shape;
}

const emptyShape = (): Shape => ({ types: new Set(), properties: new Map() });

function typeOf(value: unknown): JsonType {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "boolean" || typeof value === "string" || typeof value === "object")
    return typeof value as JsonType;
  return "string";
}

function observe(shape: Shape, value: unknown): void {
  const type = typeOf(value);
  shape.types.add(type);
  if (type === "object") {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      let sub = shape.properties.get(key);
      if (!sub) {
        sub = emptyShape();
        shape.properties.set(key, sub);
      }
      observe(sub, child);
    }
  } else if (type === "array") {
    for (const item of value as unknown[]) {
      shape.items ??= emptyShape();
      observe(shape.items, item);
    }
  }
}

function toSchema(shape: Shape): JsonSchema {
  const types = new Set(shape.types);
  // An integer in one record and a fraction in another is a number.
  if (types.has("number")) types.delete("integer");
  const ordered = jsonTypes.filter((t) => t !== "null" && types.has(t));
  if (types.has("null")) ordered.push("null");
  const schema: JsonSchema = {};
  if (ordered.length === 1) schema.type = ordered[0] as string;
  else if (ordered.length > 1) schema.type = ordered;
  if (types.has("object")) {
    schema.properties = {};
    for (const [key, sub] of shape.properties) schema.properties[key] = toSchema(sub);
  }
  if (types.has("array")) schema.items = shape.items ? toSchema(shape.items) : {};
  if (types.has("integer")) Object.assign(schema, integerBounds);
  return schema;
}

/** A JSON Schema that every given record satisfies; null-valued fields become nullable types. */
export function inferSchema(records: readonly Record<string, unknown>[]): JsonSchema {
  const root = emptyShape();
  root.types.add("object");
  for (const record of records) observe(root, record);
  return toSchema(root);
}

function customSchema(spec: unknown): object | undefined {
  const schema = sourceSettings(spec, {})("schema");
  return schema !== null && typeof schema === "object" && !Array.isArray(schema) ? schema : undefined;
}

/** Preview reads with the backfill expression when the spec's query needs a window (spec §5). */
function previewWindow(request: ReadRequest, now: Date): ReadWindow | undefined {
  if (request.window) return request.window;
  return sourceSettings(request.spec, request.params)("scheduleParams") === undefined
    ? undefined
    : { end: now, backfill: true };
}

/** One live request (the first page), at most `limit` records, and their schema (spec §5, §4.8). */
export async function previewSource(request: PreviewRequest): Promise<Preview> {
  const { limit = defaultPreviewLimit, ...rest } = request;
  if (!Number.isInteger(limit) || limit < 1)
    throw new EngineError("params", `The preview limit must be a positive integer (got ${String(limit)})`);
  const window = previewWindow(rest, (rest.now ?? (() => new Date()))());
  const handle = readRecords({
    ...rest,
    ...(window ? { window } : {}),
    maxPages: 1,
    maxRecords: Math.min(limit, rest.maxRecords ?? limit),
  });
  const data: Record<string, unknown>[] = [];
  for await (const record of handle) data.push(record);
  return { format: "hierarchical", schema: customSchema(rest.spec) ?? inferSchema(data), data };
}
