import { DatasetError, type JsonSchema, singleType } from "../dataset-sink.ts";

/**
 * DuckDB column types from a dataset's JSON Schema. Objects with properties become STRUCTs,
 * arrays with items LISTs; objects without properties and untyped values are kept as JSON text.
 * date-time strings become TIMESTAMPTZ (not TIMESTAMP) so a UTC offset in the source is honoured,
 * not dropped.
 */
export function columnTypes(schema: JsonSchema): Array<[name: string, type: string]> {
  const properties = schema.properties;
  if (!isRecord(properties) || Object.keys(properties).length === 0) {
    throw new DatasetError("schemaUnsupported", "dataset schema must be an object schema with properties");
  }
  assertColumnNames(properties, "dataset schema");
  return Object.entries(properties).map(([name, prop]) => [name, duckType(prop)]);
}

/**
 * DuckDB column and STRUCT field names are case-insensitive and may not be empty: `id` beside `ID`
 * or a `""` property would only fail at a batch's commit, so they are refused up front.
 */
function assertColumnNames(properties: Record<string, unknown>, where: string): void {
  const seen = new Map<string, string>();
  for (const name of Object.keys(properties)) {
    if (name === "") throw new DatasetError("schemaUnsupported", `${where} has a property with an empty name`);
    const folded = name.toLowerCase();
    const other = seen.get(folded);
    if (other !== undefined) {
      throw new DatasetError(
        "schemaUnsupported",
        `${where} has properties "${other}" and "${name}", which differ only in case (columns are case-insensitive)`,
      );
    }
    seen.set(folded, name);
  }
}

export function duckType(schema: unknown): string {
  if (!isRecord(schema)) return "JSON";
  const type = singleType(schema.type);
  switch (type) {
    case "integer":
      return "BIGINT";
    case "number":
      return "DOUBLE";
    case "boolean":
      return "BOOLEAN";
    case "string":
      if (schema.format === "date-time") return "TIMESTAMPTZ";
      if (schema.format === "date") return "DATE";
      return "VARCHAR";
    case "array":
      return isRecord(schema.items) ? `${duckType(schema.items)}[]` : "JSON";
    case "object": {
      if (!isRecord(schema.properties) || Object.keys(schema.properties).length === 0) return "JSON";
      assertColumnNames(schema.properties, "an object in the dataset schema");
      const fields = Object.entries(schema.properties).map(
        ([name, prop]) => `${quoteIdentifier(name)} ${duckType(prop)}`,
      );
      return `STRUCT(${fields.join(", ")})`;
    }
    default:
      return "JSON";
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The `columns={...}` argument of read_json. */
export function readJsonColumns(schema: JsonSchema): string {
  return `{${columnTypes(schema)
    .map(([name, type]) => `${quoteLiteral(name)}: ${quoteLiteral(type)}`)
    .join(", ")}}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
