/**
 * Adobe's public Flow Service Swagger 2.0 (test/conformance/flow-service.swagger.json, see the
 * README beside it) as JSON Schemas Ajv can check response bodies against.
 *
 * Swagger 2.0 schemas are a draft-04 dialect: `$ref: '#/definitions/X'`, `example` (dropped here),
 * `x-*` vendor keys (dropped), `format: int64/int32` (integers already; accepted as is). The
 * conversion walks schemas structurally, so a *property* named `example`, `type` or `required`
 * (the flow spec definitions have many) stays a property.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Schema = { [key: string]: Json };

interface SwaggerResponse {
  readonly description?: string;
  readonly schema?: Schema;
  readonly examples?: Record<string, Json>;
  readonly headers?: Record<string, Schema>;
}

interface SwaggerDocument {
  readonly swagger: string;
  readonly basePath: string;
  readonly paths: Record<string, Record<string, { responses: Record<string, SwaggerResponse> }>>;
  readonly definitions: Record<string, Schema>;
}

export const swaggerFile = new URL("./flow-service.swagger.json", import.meta.url);

/** Keywords whose value is a schema, a list of schemas or a map of schemas (draft-04 + Swagger). */
const schemaValued = new Set(["items", "additionalProperties", "not"]);
const schemaListValued = new Set(["allOf", "anyOf", "oneOf"]);
const schemaMapValued = new Set(["properties", "patternProperties", "definitions"]);
/** Swagger-only annotations Ajv does not need. */
const dropped = new Set(["example", "examples", "xml", "externalDocs", "discriminator", "readOnly"]);

/** One Swagger schema as a JSON Schema (draft-07 reading, which draft-04 schemas of this kind share). */
export function toJsonSchema(node: Json): Json {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (dropped.has(key) || key.startsWith("x-")) continue;
    if (schemaValued.has(key)) out[key] = toJsonSchema(value);
    else if (schemaListValued.has(key) && Array.isArray(value)) out[key] = value.map(toJsonSchema);
    else if (schemaMapValued.has(key) && value !== null && typeof value === "object" && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub)]));
    } else out[key] = value;
  }
  return out;
}

export interface Verdict {
  /** Ajv's errors against the declared schema (empty when the body conforms). */
  readonly errors: readonly string[];
  /** Paths of fields the body has and the schema does not declare (not descended into). */
  readonly undeclared: readonly string[];
  /** Paths of declared fields the body does not have, under objects it has. */
  readonly absent: readonly string[];
}

export class Swagger {
  readonly document: SwaggerDocument;
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(file: URL = swaggerFile) {
    this.document = JSON.parse(readFileSync(file, "utf8")) as SwaggerDocument;
    if (this.document.swagger !== "2.0") throw new Error(`${file.pathname} is not Swagger 2.0`);
    this.ajv = new Ajv({ strict: false, allErrors: true, formats: { int64: true, int32: true } });
    this.ajv.addSchema(toJsonSchema({ definitions: this.document.definitions }) as Schema, "swagger");
  }

  get basePath(): string {
    return this.document.basePath;
  }

  /** The declared response, or undefined when the Swagger has no such path, method or status. */
  response(path: string, method: string, status: number): SwaggerResponse | undefined {
    return this.document.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
  }

  /** The statuses the Swagger declares for an operation. */
  statuses(path: string, method: string): number[] {
    return Object.keys(this.document.paths[path]?.[method.toLowerCase()]?.responses ?? {}).map(Number);
  }

  operations(): Array<{ path: string; method: string }> {
    return Object.entries(this.document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ path, method: method.toUpperCase() })),
    );
  }

  /** A definition (by name) or an inline Swagger schema, with its `$ref`s resolved for walking. */
  resolve(schema: Json): Json {
    if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
    const ref = schema.$ref;
    if (typeof ref === "string") {
      const name = ref.replace(/^#\/definitions\//, "");
      const target = this.document.definitions[name];
      if (!target) throw new Error(`Unknown Swagger definition ${ref}`);
      return this.resolve(target);
    }
    return schema;
  }

  /** Checks a body against a Swagger schema (e.g. `{ $ref: "#/definitions/X" }`). */
  check(schema: Schema, body: unknown): Verdict {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) {
      const rebased = JSON.parse(key.replaceAll('"#/definitions/', '"swagger#/definitions/')) as Json;
      validate = this.ajv.compile(toJsonSchema(rebased) as Schema);
      this.compiled.set(key, validate);
    }
    const errors = validate(body) ? [] : (validate.errors ?? []).map(describe);
    const undeclared = new Set<string>();
    const absent = new Set<string>();
    this.walk(schema, body, "", undeclared, absent);
    return { errors: [...new Set(errors)].sort(), undeclared: [...undeclared].sort(), absent: [...absent].sort() };
  }

  private walk(schema: Json, value: unknown, path: string, undeclared: Set<string>, absent: Set<string>): void {
    const resolved = this.resolve(schema);
    if (resolved === null || typeof resolved !== "object" || Array.isArray(resolved)) return;
    if (Array.isArray(value)) {
      if (resolved.items !== undefined) {
        for (const item of value) this.walk(resolved.items, item, `${path}[]`, undeclared, absent);
      }
      return;
    }
    if (value === null || typeof value !== "object") return;
    const properties = resolved.properties;
    // An object schema without properties is free-form: nothing in it is undeclared.
    if (properties === undefined || properties === null || typeof properties !== "object" || Array.isArray(properties))
      return;
    const record = value as Record<string, unknown>;
    for (const [name, sub] of Object.entries(record)) {
      const at = path === "" ? name : `${path}.${name}`;
      if (!Object.hasOwn(properties, name)) undeclared.add(at);
      else this.walk(properties[name] as Json, sub, at, undeclared, absent);
    }
    for (const name of Object.keys(properties)) {
      if (!Object.hasOwn(record, name)) absent.add(path === "" ? name : `${path}.${name}`);
    }
  }
}

function describe(error: ErrorObject): string {
  const at = error.instancePath === "" ? "/" : error.instancePath.replace(/\/\d+(?=\/|$)/g, "/*");
  return `${at} ${error.message ?? error.keyword}`;
}

/**
 * A weak schema for responses the Swagger only illustrates with an example (e.g. PATCH
 * /connections: `{id, etag}`): the same keys, each with the example value's JSON type.
 */
export function schemaOfExample(example: Json): Schema {
  if (Array.isArray(example)) return { type: "array" };
  if (example === null) return { type: "null" };
  if (typeof example !== "object") return { type: typeof example === "number" ? "number" : typeof example };
  const properties = Object.fromEntries(Object.entries(example).map(([key, value]) => [key, schemaOfExample(value)]));
  return { type: "object", properties, required: Object.keys(example) };
}
