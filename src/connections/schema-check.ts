/**
 * Validates user data (auth params, source params, request bodies) against a draft-07 JSON Schema
 * from a connection spec, reporting every problem at once with a JSON Pointer (RFC 6901).
 *
 * - Formats are not validated: the auth specs use `format: "password"` (a marker for secrets, not a
 *   syntax) and `format: "date"` on `expirationDate`, which the OAuth refresh writes as an ISO
 *   instant. Checking either would refuse valid connections.
 * - Messages never contain the value checked, only the schema's expectations, so a secret that
 *   fails validation is not echoed.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { FlowError, type Problem } from "../errors.ts";

const maxCachedValidators = 256;

let ajv = newAjv();
let validators = new Map<string, ValidateFunction>();

function newAjv(): Ajv {
  return new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Compiled once per distinct schema; the cache (and Ajv's own) is dropped when it grows too big. */
function validatorFor(schema: Record<string, unknown>, what: string): ValidateFunction {
  const key = JSON.stringify(schema);
  const cached = validators.get(key);
  if (cached) return cached;
  if (validators.size >= maxCachedValidators) {
    ajv = newAjv();
    validators = new Map();
  }
  // `$schema` may name a meta-schema Ajv does not carry and `$id` would collide across specs.
  const { $schema: _schema, $id: _id, ...body } = schema;
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(body);
  } catch (error) {
    throw new FlowError("badRequest", `${what} is not a usable JSON Schema: ${(error as Error).message}`);
  }
  validators.set(key, validate);
  return validate;
}

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

function toProblem(error: ErrorObject, prefix: string): Problem {
  const at = `${prefix}${error.instancePath}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return {
        pointer: `${at}/${escapeSegment(String(params.missingProperty))}`,
        message: "is required",
        severity: "error",
      };
    case "additionalProperties":
      return {
        pointer: `${at}/${escapeSegment(String(params.additionalProperty))}`,
        message: "is not allowed here",
        severity: "error",
      };
    case "enum":
      return {
        pointer: at || "/",
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
        severity: "error",
      };
    default:
      return { pointer: at || "/", message: error.message ?? "is not valid", severity: "error" };
  }
}

/**
 * Every problem of `value` against `schema`, pointers prefixed with `prefix` (e.g. `/auth/params`).
 * A missing or non-object schema accepts anything.
 */
export function schemaProblems(value: unknown, schema: unknown, prefix: string, what: string): Problem[] {
  if (!isObject(schema)) return [];
  const validate = validatorFor(schema, what);
  if (validate(value)) return [];
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of validate.errors ?? []) {
    const problem = toProblem(error, prefix);
    const key = `${problem.pointer}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

/** Throws FlowError("validationFailed") listing every problem, like the spec linter does. */
export function assertNoProblems(problems: readonly Problem[], what: string): void {
  if (problems.length === 0) return;
  throw new FlowError(
    "validationFailed",
    `${what} has ${problems.length} problem(s): ${problems.map((p) => `${p.pointer} ${p.message}`).join("; ")}`,
    { problems },
  );
}
