import { DatasetError, type JsonSchema, singleType } from "../dataset-sink.ts";

/**
 * PostgreSQL column types from a dataset's JSON Schema (the Parquet sink's rules, mapped onto
 * PostgreSQL): string → text, integer → bigint, number → double precision, boolean → boolean,
 * date-time → timestamptz, date → date; objects, arrays, unions of several types and untyped
 * values → jsonb (queried with `->`, `->>`, `jsonb_array_elements`).
 */
export type PgType = "text" | "bigint" | "double precision" | "boolean" | "timestamptz" | "date" | "jsonb";

export interface PgColumn {
  readonly name: string;
  readonly type: PgType;
}

/** Names the sink adds to every data and staging table; a dataset may not use them. */
export const batchColumn = "_batch_id";
export const writerColumn = "_inlet_writer";
const reserved = new Set([batchColumn, writerColumn]);

/** PostgreSQL truncates identifiers beyond 63 bytes (NAMEDATALEN - 1): two long names could collide. */
const maxIdentifierBytes = 63;

export function pgColumns(schema: JsonSchema): PgColumn[] {
  const properties = schema.properties;
  if (!isRecord(properties) || Object.keys(properties).length === 0) {
    throw new DatasetError("schemaUnsupported", "dataset schema must be an object schema with properties");
  }
  return Object.entries(properties).map(([name, property]) => {
    if (name === "") throw new DatasetError("schemaUnsupported", "dataset schema has a property with an empty name");
    if (reserved.has(name)) {
      throw new DatasetError(
        "schemaUnsupported",
        `"${name}" is reserved by the PostgreSQL sink and cannot be a column`,
      );
    }
    if (Buffer.byteLength(name, "utf8") > maxIdentifierBytes) {
      throw new DatasetError(
        "schemaUnsupported",
        `property "${name.slice(0, 40)}…" is longer than ${maxIdentifierBytes} bytes, PostgreSQL's limit for a column name`,
      );
    }
    return { name, type: pgType(property) };
  });
}

export function pgType(schema: unknown): PgType {
  if (!isRecord(schema)) return "jsonb";
  switch (singleType(schema.type)) {
    case "integer":
      return "bigint";
    case "number":
      return "double precision";
    case "boolean":
      return "boolean";
    case "string":
      if (schema.format === "date-time") return "timestamptz";
      if (schema.format === "date") return "date";
      return "text";
    default:
      return "jsonb";
  }
}

/** A record's value as a query parameter for its column (records are schema-valid by now). */
export function pgValue(value: unknown, type: PgType): unknown {
  if (value === undefined || value === null) return null;
  if (type === "jsonb") return JSON.stringify(value);
  return value;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
