/**
 * The Ajv side of the linter (libraries.md §1.2): the structural pass over a whole document with
 * our own JSON Schemas, and the check that each embedded `spec` is itself a valid draft-07 schema
 * (`validateSchema`: the embedded schema is data checked against the meta-schema, nothing of it is
 * compiled). Ajv's messages are turned into sentences with a pointer to the offending field.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { connectionSpecJsonSchema, flowSpecJsonSchema } from "./json-schemas.ts";
import {
  depthExceeds,
  describe,
  didYouMean,
  isObject,
  own,
  type Path,
  type ProblemList,
  quote,
  type Segment,
} from "./problems.ts";

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
/**
 * Ajv's allErrors mode grows quadratically with the number of errors (50 000 broken properties take
 * half a minute), so a very large embedded schema is checked up to its first error only.
 */
const firstErrorAjv = new Ajv({ allErrors: false, strict: false, verbose: true });
const maxSchemaNodesForAllErrors = 5_000;

function nodeCountExceeds(value: unknown, limit: number): boolean {
  const stack: unknown[] = [value];
  let count = 0;
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object") continue;
    count += 1;
    if (count > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push(child);
  }
  return false;
}
const validators = new Map<object, ValidateFunction>();

/** Deeper embedded schemas are refused before Ajv walks them (hostile input is deep). */
export const maxSchemaDepth = 64;

const jsonSchemaTypes = ["array", "boolean", "integer", "null", "number", "object", "string"];

const draft07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;

function validatorFor(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

function segmentsOf(instancePath: string): Segment[] {
  if (instancePath === "") return [];
  return instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function expectedType(params: Record<string, unknown>): string {
  const type = params.type;
  return Array.isArray(type) ? type.map(String).join(" or ") : article(String(type));
}

/**
 * Ajv reports an `anyOf` failure three times: once per branch and once for the whole. We keep the
 * whole, whose schema says in `x-expected` what the field may be, and drop the branches.
 */
function withoutBranchNoise(errors: readonly ErrorObject[]): ErrorObject[] {
  const anyOfAt = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === "anyOf" || !anyOfAt.has(e.instancePath));
}

function structuralMessage(error: ErrorObject): string {
  const parent = isObject(error.parentSchema) ? error.parentSchema : {};
  const expected = typeof parent["x-expected"] === "string" ? parent["x-expected"] : undefined;
  const found = ` (found ${describe(error.data)})`;
  switch (error.keyword) {
    case "anyOf":
      return `must be ${expected ?? "of another type"}${found}.`;
    case "type":
      return `must be ${expectedType(error.params)}${found}.`;
    case "minLength":
      return "must not be empty: give it a value or remove the field.";
    case "pattern":
      return `must be ${expected ?? `text matching ${String(error.params.pattern)}`}${found}.`;
    case "enum": {
      const allowed = (error.params.allowedValues as unknown[]).map(String);
      const hint = typeof error.data === "string" ? didYouMean(error.data, allowed) : "";
      return `must be one of ${allowed.join(", ")}${found}${hint}.`;
    }
    default:
      return `${error.message ?? "is not valid"}${found}.`;
  }
}

function requiredMessage(error: ErrorObject): { readonly name: string; readonly message: string } {
  const name = String(error.params.missingProperty);
  const properties = isObject(error.parentSchema) ? error.parentSchema.properties : undefined;
  const property = isObject(properties) ? own(properties, name) : undefined;
  const description = isObject(property) && typeof property.description === "string" ? property.description : "";
  return { name, message: `is missing: add ${JSON.stringify(name)}${description ? `, ${description}` : ""}.` };
}

function checkStructure(doc: unknown, schema: object, problems: ProblemList): void {
  const validate = validatorFor(schema);
  if (validate(doc)) return;
  for (const error of withoutBranchNoise(validate.errors ?? [])) {
    const at = segmentsOf(error.instancePath);
    if (error.keyword === "required") {
      const { name, message } = requiredMessage(error);
      problems.error([...at, name], message);
    } else {
      problems.error(at, structuralMessage(error));
    }
  }
}

/** Types and required fields of a connection spec, from `connectionSpecJsonSchema`. */
export function checkConnectionSpecStructure(doc: unknown, problems: ProblemList): void {
  checkStructure(doc, connectionSpecJsonSchema, problems);
}

/** Types and required fields of a flow spec, from `flowSpecJsonSchema`. */
export function checkFlowSpecStructure(doc: unknown, problems: ProblemList): void {
  checkStructure(doc, flowSpecJsonSchema, problems);
}

function metaMessage(error: ErrorObject): string {
  const found = ` (found ${describe(error.data)})`;
  if (error.keyword === "enum" && error.instancePath.endsWith("/type")) {
    const hint = typeof error.data === "string" ? didYouMean(error.data, jsonSchemaTypes) : "";
    return `${describe(error.data)} is not a JSON Schema type: use one of ${jsonSchemaTypes.join(", ")}${hint}.`;
  }
  if (error.keyword === "type") return `must be ${expectedType(error.params)} in a draft-07 JSON Schema${found}.`;
  return `is not valid in a draft-07 JSON Schema: it ${error.message ?? "is invalid"}${found}.`;
}

/** One message per field of the embedded schema: the most specific error Ajv gives there. */
function pickMetaErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject>();
  for (const error of errors) {
    const kept = byPath.get(error.instancePath);
    const better =
      kept === undefined ||
      (kept.keyword === "anyOf" && error.keyword !== "anyOf") ||
      (error.keyword === "enum" && kept.keyword !== "enum");
    if (better) byPath.set(error.instancePath, error);
  }
  return [...byPath.values()];
}

export interface EmbeddedSchemaOptions {
  /** `auth.params`, `params`: the schema must describe an object. */
  readonly describesObject?: boolean;
}

/**
 * Checks that `value` (found at `path`) is a valid draft-07 JSON Schema. A value that is not an
 * object is left to the structural pass, which already reports it.
 */
export function checkEmbeddedSchema(
  value: unknown,
  path: Path,
  problems: ProblemList,
  options: EmbeddedSchemaOptions = {},
): void {
  if (!isObject(value)) return;
  const deep = depthExceeds(value, maxSchemaDepth);
  if (deep) {
    problems.error(
      [...path, ...deep],
      `this JSON Schema nests deeper than ${maxSchemaDepth} levels; flatten it (use definitions and $ref).`,
    );
    return;
  }
  const { $schema, ...schema } = value;
  if ($schema !== undefined) {
    if (typeof $schema !== "string") {
      problems.error([...path, "$schema"], `must be a URI string such as "http://json-schema.org/draft-07/schema#".`);
    } else if (!draft07.test($schema)) {
      const fixed = $schema.replace(/\s+/g, "");
      problems.warning(
        [...path, "$schema"],
        draft07.test(fixed)
          ? `${quote($schema)} has a stray space (as in Adobe's boilerplate); Inlet reads it as draft-07, but write "http://json-schema.org/draft-07/schema#".`
          : `${quote($schema)} is not draft-07; Inlet validates embedded schemas as draft-07, so keywords of other drafts may be ignored.`,
      );
    }
  }
  const large = nodeCountExceeds(schema, maxSchemaNodesForAllErrors);
  const validator = large ? firstErrorAjv : ajv;
  let valid: boolean;
  try {
    valid = validator.validateSchema(schema) as boolean;
  } catch (error) {
    problems.error(path, `could not be checked as a JSON Schema: ${(error as Error).message}.`);
    return;
  }
  if (!valid) {
    for (const error of pickMetaErrors(validator.errors ?? [])) {
      const more = large ? " This schema is large, so only its first problem is listed: fix it and lint again." : "";
      problems.error([...path, ...segmentsOf(error.instancePath)], `${metaMessage(error)}${more}`);
    }
  }
  if (options.describesObject) {
    const type = own(value, "type");
    if (type === undefined) {
      problems.warning(path, `has no "type"; add "type": "object", since it describes an object of parameters.`);
    } else if (type !== "object" && typeof type === "string" && jsonSchemaTypes.includes(type)) {
      problems.error([...path, "type"], `must be "object": this schema describes an object of parameters.`);
    }
  }
}
