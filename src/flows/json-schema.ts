/**
 * Draft-07 validation of flow inputs against the schemas a flow spec carries (scheduleSpec.spec
 * with its if/then/else, optionSpec.spec, transformationSpecs[].spec), every problem at once with
 * a JSON Pointer. Validators are compiled once per distinct schema.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { FlowError, type Problem } from "../errors.ts";

const maxCached = 128;
let ajv = newAjv();
let cache = new Map<string, ValidateFunction>();

function newAjv(): Ajv {
  return new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false, verbose: true });
}

function validatorFor(schema: Readonly<Record<string, unknown>>, what: string): ValidateFunction {
  const key = JSON.stringify(schema);
  const cached = cache.get(key);
  if (cached) return cached;
  if (cache.size >= maxCached) {
    ajv = newAjv();
    cache = new Map();
  }
  const { $schema: _schema, $id: _id, ...body } = schema;
  try {
    const validate = ajv.compile(body);
    cache.set(key, validate);
    return validate;
  } catch (error) {
    throw new FlowError(
      "badRequest",
      `The flow spec's ${what} is not a usable JSON Schema: ${(error as Error).message}`,
    );
  }
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "required") return `must have property "${String(params.missingProperty)}"`;
  if (error.keyword === "enum")
    return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
  if (error.keyword === "not") {
    const forbidden = (error.schema as { required?: unknown } | undefined)?.required;
    return Array.isArray(forbidden)
      ? `must not have property "${forbidden.join('", "')}"`
      : "must not match the forbidden form";
  }
  if (error.keyword === "additionalProperties") return `must not have property "${String(params.additionalProperty)}"`;
  return error.message ?? "is not valid";
}

/** Problems of `value` against `schema`, pointers prefixed with `prefix` (e.g. `/scheduleParams`). */
export function schemaProblems(
  value: unknown,
  schema: Readonly<Record<string, unknown>>,
  prefix: string,
  what: string,
): Problem[] {
  const validate = validatorFor(schema, what);
  if (validate(value)) return [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    // if/then/else and allOf wrap the real problems; those are reported on their own.
    if (error.keyword === "if" || error.keyword === "allOf") continue;
    const problem = { pointer: `${prefix}${error.instancePath}`, message: describe(error), severity: "error" as const };
    const key = `${problem.pointer} ${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}
