/**
 * Destinations: dotted paths into the dataset schema's (nested) object properties, and the
 * conversion each applies so a value lands in the type its column has. A value already of the
 * right type passes untouched (the fast path); anything else converts as the matching to_* function
 * would, or the record fails with the reason.
 */
import { type JsonSchema, singleType } from "../datasets/dataset-sink.ts";
import { formatPath, type PathSegment } from "./path.ts";
import { isoString, toBool, toDateTime, toFloat, toInteger, toText, type Value } from "./values.ts";

export type DestinationType =
  | "string"
  | "date-time"
  | "date"
  | "integer"
  | "number"
  | "boolean"
  | "object"
  | "array"
  | "any";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function destinationType(property: unknown): DestinationType {
  if (!isRecord(property)) return "any";
  const type = singleType(property.type);
  switch (type) {
    case "string":
      if (property.format === "date-time") return "date-time";
      if (property.format === "date") return "date";
      return "string";
    case "integer":
    case "number":
    case "boolean":
    case "object":
    case "array":
      return type;
    default:
      return "any";
  }
}

/** The schema's own properties (never inherited keys such as `constructor`). */
export function propertiesOf(schema: unknown): Record<string, unknown> | undefined {
  if (!isRecord(schema) || !isRecord(schema.properties)) return undefined;
  return schema.properties;
}

function ownProperty(properties: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(properties, key) ? properties[key] : undefined;
}

/** The destination's type, or a sentence saying why the path is not in the schema. */
export function resolveDestination(
  schema: JsonSchema,
  path: readonly PathSegment[],
): { readonly ok: true; readonly type: DestinationType } | { readonly ok: false; readonly problem: string } {
  let current: unknown = schema;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as PathSegment;
    if (!("key" in segment)) return { ok: false, problem: "destinations cannot index into arrays" };
    const properties = propertiesOf(current);
    const parent = i === 0 ? "the dataset schema" : formatPath(path.slice(0, i));
    if (!properties) return { ok: false, problem: `${parent} is not an object with properties` };
    const child = ownProperty(properties, segment.key);
    if (child === undefined) {
      const known = Object.keys(properties).slice(0, 20).join(", ");
      return { ok: false, problem: `${parent} has no property "${segment.key}" (it has: ${known})` };
    }
    current = child;
  }
  return { ok: true, type: destinationType(current) };
}

function dateText(date: Date): string {
  return isoString(date).slice(0, 10);
}

export type Converter = (value: Value) => Value;

/** What a destination of this type does to a value that is not null. */
export function converterFor(type: DestinationType): Converter {
  switch (type) {
    case "string":
      return (value) => (typeof value === "string" ? value : toText(value));
    case "integer":
      return (value) => (typeof value === "number" && Number.isSafeInteger(value) ? value : toInteger(value));
    case "number":
      return (value) => (typeof value === "number" && Number.isFinite(value) ? value : toFloat(value));
    case "boolean":
      return (value) => (typeof value === "boolean" ? value : toBool(value));
    case "date-time":
      // Text is kept as it is (the dataset schema checks its format); epoch numbers and date-times are written out.
      return (value) => {
        if (typeof value === "string") return value;
        const date = toDateTime(value);
        return date === null ? null : isoString(date);
      };
    case "date":
      return (value) => {
        if (typeof value === "string") return value;
        const date = toDateTime(value);
        return date === null ? null : dateText(date);
      };
    case "object":
    case "array":
    case "any":
      return (value) => (value instanceof Date ? isoString(value) : value);
  }
}
