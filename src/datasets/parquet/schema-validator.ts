import { Ajv, type ErrorObject } from "ajv";
import addFormatsPlugin from "ajv-formats";
import type { JsonSchema } from "../dataset-sink.ts";

// ajv-formats is CommonJS; under NodeNext its default import is typed as the module object.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

export type RecordCheck = (record: unknown) => string | undefined;

/** Compiled once per batch. Coerces nothing: a record either matches the schema as-is or fails. */
export function compileRecordCheck(schema: JsonSchema): RecordCheck {
  const ajv = new Ajv({ strict: false, coerceTypes: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (record) => (validate(record) ? undefined : describe(validate.errors ?? []));
}

function describe(errors: readonly ErrorObject[]): string {
  const first = errors[0];
  if (!first) return "record does not match the dataset schema";
  return `${first.instancePath || "/"} ${first.message ?? "is invalid"}`;
}
