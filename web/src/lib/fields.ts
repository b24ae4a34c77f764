/**
 * Fields of records: the leaf paths of a JSON Schema (explore's inferred schema of a record, or a
 * dataset's row schema), the preview table's columns, and reading a value at a path.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** A name a mapping path can hold (docs/mapping.md "Paths"): no whitespace, dots, brackets, parens, commas or quotes. */
export const pathName = /^[^\s.[\](),'"]+$/;

export interface Leaf {
  /** The names from the record's root to the field. */
  readonly segments: readonly string[];
  /** `a.b.c`, or undefined when a name cannot be written in a mapping path. */
  readonly path: string | undefined;
  /** The segments joined with dots, for display. */
  readonly label: string;
  readonly type: string;
  readonly format?: string | undefined;
  readonly schema: Json;
}

/** The first non-null type of a schema (`["string", "null"]` is a string). */
export function schemaType(schema: Json): string {
  const type = schema.type;
  if (typeof type === "string") return type;
  if (Array.isArray(type)) {
    const named = type.filter((t): t is string => typeof t === "string" && t !== "null");
    return named[0] ?? (type.includes("null") ? "null" : "any");
  }
  if (isObject(schema.properties)) return "object";
  return "any";
}

export function joinPath(segments: readonly string[]): string | undefined {
  return segments.length > 0 && segments.every((s) => pathName.test(s) && s !== "__proto__")
    ? segments.join(".")
    : undefined;
}

/**
 * Leaves of an object schema: objects with properties are walked into (up to `maxDepth`), anything
 * else (scalars, arrays, objects without declared properties) is a leaf.
 */
export function leaves(schema: unknown, maxDepth = 8, prefix: readonly string[] = []): Leaf[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  const out: Leaf[] = [];
  for (const [name, child] of Object.entries(schema.properties)) {
    if (!isObject(child)) continue;
    const segments = [...prefix, name];
    const type = schemaType(child);
    if (
      type === "object" &&
      isObject(child.properties) &&
      Object.keys(child.properties).length > 0 &&
      segments.length < maxDepth
    ) {
      out.push(...leaves(child, maxDepth, segments));
      continue;
    }
    out.push({
      segments,
      path: joinPath(segments),
      label: segments.join("."),
      type,
      format: typeof child.format === "string" ? child.format : undefined,
      schema: child,
    });
  }
  return out;
}

/** A schema inferred from records, for when explore answers none (older responses, spec §5). */
export function inferSchema(records: readonly unknown[]): Json {
  const merge = (schema: Json, value: unknown): Json => {
    if (isObject(value)) {
      const properties: Json = isObject(schema.properties) ? { ...schema.properties } : {};
      for (const [key, child] of Object.entries(value))
        properties[key] = merge(isObject(properties[key]) ? (properties[key] as Json) : {}, child);
      return { ...schema, type: "object", properties };
    }
    if (value === null || value === undefined) return schema.type ? schema : { type: "null" };
    const type = Array.isArray(value)
      ? "array"
      : typeof value === "number"
        ? Number.isInteger(value)
          ? "integer"
          : "number"
        : typeof value;
    if (schema.type === undefined || schema.type === "null") return { ...schema, type };
    if (schema.type === "integer" && type === "number") return { ...schema, type: "number" };
    return schema;
  };
  return records.reduce<Json>((schema, record) => merge(schema, record), { type: "object", properties: {} });
}

/** The value at a leaf's segments; undefined when a step is missing. */
export function valueAt(record: unknown, segments: readonly string[]): unknown {
  let node: unknown = record;
  for (const segment of segments) {
    if (!isObject(node) || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

/** A table cell: text as is, other scalars as JSON, containers as compact JSON cut to `max` characters. */
export function cellText(value: unknown, max = 80): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value.length > max ? `${value.slice(0, max)}…` : value;
  const text = JSON.stringify(value) ?? "";
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
