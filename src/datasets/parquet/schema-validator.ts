import { Ajv, type ErrorObject, type Options } from "ajv";
import addFormatsPlugin from "ajv-formats";
import { type JsonSchema, singleType } from "../dataset-sink.ts";

// ajv-formats is CommonJS; under NodeNext its default import is typed as the module object.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

export type RecordCheck = (record: unknown) => string | undefined;

/**
 * Compiled once per batch. Coerces nothing: a record either matches the schema as-is or fails.
 * Integer columns are bounded to ±(2^53 - 1): past that a parsed number is no longer the API's
 * integer, and past 2^63 DuckDB's BIGINT refuses it, which would fail the whole batch's
 * conversion instead of the one record.
 */
export function compileRecordCheck(schema: JsonSchema): RecordCheck {
  const ajv = datasetAjv();
  const validate = ajv.compile(boundIntegerColumns(schema) as JsonSchema);
  return (record) => (validate(record) ? undefined : describe(validate.errors ?? []));
}

function describe(errors: readonly ErrorObject[]): string {
  const first = errors[0];
  if (!first) return "record does not match the dataset schema";
  return `${first.instancePath || "/"} ${first.message ?? "is invalid"}`;
}

type Format = { validate: (text: string) => boolean; compare?: (a: string, b: string) => number | undefined };

/**
 * Ajv as dataset records are validated (extra options are for sub-schema validators, see
 * raw-record-check.ts): ajv-formats, with "date-time" narrowed to what DuckDB's TIMESTAMPTZ reads.
 * RFC 3339 also allows a lowercase `t` or `z` and a leap second (`:60`); DuckDB refuses them, which
 * would fail the batch's conversion instead of the one record.
 */
export function datasetAjv(extra: Pick<Options, "addUsedSchema" | "logger"> = {}): Ajv {
  const ajv = new Ajv({ strict: false, coerceTypes: false, allErrors: false, validateFormats: true, ...extra });
  addFormats(ajv);
  const rfc3339 = ajv.formats["date-time"] as Format;
  ajv.addFormat("date-time", {
    type: "string",
    validate: (text: string) => !/[tz]/.test(text) && text.slice(17, 19) !== "60" && rfc3339.validate(text),
    ...(rfc3339.compare ? { compare: rfc3339.compare } : {}),
  });
  return ajv;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A copy with `minimum`/`maximum` tightened to the safe range on every integer column (column-types.ts's structure). */
function boundIntegerColumns(schema: unknown): unknown {
  if (!isRecord(schema)) return schema;
  const out: Record<string, unknown> = { ...schema };
  if (singleType(schema.type) === "integer") {
    const { minimum, maximum } = schema;
    if (minimum === undefined || (typeof minimum === "number" && minimum < -Number.MAX_SAFE_INTEGER))
      out.minimum = -Number.MAX_SAFE_INTEGER;
    if (maximum === undefined || (typeof maximum === "number" && maximum > Number.MAX_SAFE_INTEGER))
      out.maximum = Number.MAX_SAFE_INTEGER;
  }
  if (isRecord(schema.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([name, property]) => [name, boundIntegerColumns(property)]),
    );
  }
  if (isRecord(schema.items)) out.items = boundIntegerColumns(schema.items);
  return out;
}
