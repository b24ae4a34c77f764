/**
 * From explore's preview to a dataset row schema and an identity mapping. Explore answers a JSON
 * Schema of one record (spec §5); the dataset's row is the record's top-level properties, nested
 * objects and arrays kept. The preview is a sample, so the row schema is made lenient: no
 * `required`, every type nullable, and a field seen only as null accepts anything. A record of the
 * full run then fails only when a field's type really changes.
 */
import type { JsonObject } from "./client.ts";

export interface RowSchemaPlan {
  /** `{type:"object", properties}` for POST /dataSets. */
  readonly schema: JsonObject;
  /** Top-level fields mapped one to one (source = destination). */
  readonly fields: readonly string[];
  /** Top-level fields left out because a mapping path cannot name them (dots, brackets). */
  readonly skipped: readonly string[];
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const mappableName = /^[^.[\]\s]+$/;

/** A JSON Schema every given value satisfies (used when explore sends data without a schema). */
export function inferFromValues(values: readonly unknown[]): JsonObject {
  const types = new Set<string>();
  const properties = new Map<string, unknown[]>();
  const items: unknown[] = [];
  for (const value of values) {
    if (value === null || value === undefined) types.add("null");
    else if (Array.isArray(value)) {
      types.add("array");
      items.push(...value);
    } else if (typeof value === "object") {
      types.add("object");
      for (const [k, v] of Object.entries(value)) {
        const list = properties.get(k) ?? [];
        list.push(v);
        properties.set(k, list);
      }
    } else if (typeof value === "number") types.add(Number.isInteger(value) ? "integer" : "number");
    else types.add(typeof value);
  }
  if (types.has("number")) types.delete("integer");
  const list = [...types];
  const schema: JsonObject = {};
  if (list.length === 1) schema.type = list[0];
  else if (list.length > 1) schema.type = list;
  if (types.has("object"))
    schema.properties = Object.fromEntries([...properties].map(([k, v]) => [k, inferFromValues(v)]));
  if (types.has("array") && items.length > 0) schema.items = inferFromValues(items);
  return schema;
}

/** Nullable, no `required`, no closed objects; a type seen only as null becomes "anything". */
export function relax(schema: unknown): JsonObject {
  if (!isObject(schema)) return {};
  const out: JsonObject = {};
  const types = (Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type]).filter(
    (t): t is string => typeof t === "string",
  );
  const real = types.filter((t) => t !== "null");
  if (real.length > 0) out.type = [...new Set(real), "null"];
  if (real.includes("object") && isObject(schema.properties)) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, relax(v)]));
  }
  if (real.includes("array") && schema.items !== undefined) out.items = relax(schema.items);
  if (real.includes("integer")) {
    if (typeof schema.minimum === "number") out.minimum = schema.minimum;
    if (typeof schema.maximum === "number") out.maximum = schema.maximum;
  }
  if (real.length === 1 && real[0] === "string" && typeof schema.format === "string") out.format = schema.format;
  for (const key of ["title", "description"] as const) if (typeof schema[key] === "string") out[key] = schema[key];
  return out;
}

/** The row schema and mapping fields for explore's `{schema, data}`. */
export function planRowSchema(explore: JsonObject): RowSchemaPlan {
  const data = Array.isArray(explore.data) ? explore.data : [];
  const given = isObject(explore.schema) && isObject(explore.schema.properties) ? explore.schema : undefined;
  const recordSchema = given ?? inferFromValues(data);
  const properties = isObject(recordSchema.properties) ? recordSchema.properties : {};
  const fields: string[] = [];
  const skipped: string[] = [];
  const rowProperties: JsonObject = {};
  for (const [name, property] of Object.entries(properties)) {
    if (!mappableName.test(name)) {
      skipped.push(name);
      continue;
    }
    fields.push(name);
    rowProperties[name] = relax(property);
  }
  return { schema: { type: "object", properties: rowProperties }, fields, skipped };
}
