/**
 * A draft-07 JSON Schema interpreter for the console's forms. It exists because the console runs
 * under a strict Content-Security-Policy without 'unsafe-eval', and Ajv compiles schemas to code
 * with `new Function`. It covers the keywords connection specs use in authSpec and sourceSpec
 * schemas (types, required, properties, enum/const, string, number and array bounds, pattern,
 * formats, allOf/anyOf/oneOf/not, if/then/else, local $ref) and reports errors in Ajv's shape, so
 * @rjsf's own error processing applies unchanged. Unknown keywords (uiAttributes, restAttributes,
 * …) are ignored, as Ajv in non-strict mode does.
 */

export type Schema = boolean | Record<string, unknown>;

/** Ajv's ErrorObject, as @rjsf/validator-ajv8 consumes it. */
export interface SchemaError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message: string;
  readonly parentSchema?: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

const escapePointer = (segment: string | number) => String(segment).replace(/~/g, "~0").replace(/\//g, "~1");

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "boolean":
      return typeof value === "boolean";
    case "object":
      return isObject(value);
    case "array":
      return Array.isArray(value);
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    default:
      return true;
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]))
    );
  }
  return false;
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timePattern = /^(\d{2}):(\d{2}):(\d{2})(\.\d+)?(z|[+-]\d{2}(:?\d{2})?)?$/i;

function validDate(text: string): boolean {
  const match = datePattern.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return day <= days;
}

function validTime(text: string): boolean {
  const match = timePattern.exec(text);
  return !!match && Number(match[1]) <= 23 && Number(match[2]) <= 59 && Number(match[3]) <= 60;
}

/** Formats Ajv (with ajv-formats) checks; any other format, `password` included, passes. */
const formats: Record<string, (text: string) => boolean> = {
  date: validDate,
  time: validTime,
  "date-time": (text) => {
    const [date, time, extra] = text.split(/[tT ]/);
    return (
      extra === undefined &&
      date !== undefined &&
      time !== undefined &&
      validDate(date) &&
      validTime(time) &&
      /(z|[+-]\d{2}:?\d{2})$/i.test(time)
    );
  },
  email: (text) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text),
  uri: (text) => /^[a-z][a-z0-9+.-]*:[^\s]*$/i.test(text),
  "uri-reference": (text) => !/\s/.test(text),
  hostname: (text) =>
    /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(text),
  ipv4: (text) => /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/.test(text),
  uuid: (text) => /^(?:urn:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text),
  regex: (text) => {
    try {
      new RegExp(text, "u");
      return true;
    } catch {
      return false;
    }
  },
};

/** Unicode length, as JSON Schema counts characters. */
const length = (text: string) => [...text].length;

class Run {
  readonly errors: SchemaError[] = [];
  private depth = 0;

  constructor(private readonly root: Schema) {}

  resolve(ref: string): Schema | undefined {
    if (ref === "#") return this.root;
    if (!ref.startsWith("#/")) return undefined;
    let node: unknown = this.root;
    for (const raw of ref.slice(2).split("/")) {
      const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      if (!isObject(node) && !Array.isArray(node)) return undefined;
      node = (node as Json)[key];
    }
    return typeof node === "boolean" || isObject(node) ? node : undefined;
  }

  private fail(
    schema: Json,
    keyword: string,
    instancePath: string,
    schemaPath: string,
    params: Record<string, unknown>,
    message: string,
  ): void {
    this.errors.push({
      instancePath,
      schemaPath: `${schemaPath}/${keyword}`,
      keyword,
      params,
      message,
      parentSchema: schema,
    });
  }

  /** Validates and records errors; returns whether the value is valid. */
  check(schema: Schema, value: unknown, instancePath: string, schemaPath: string): boolean {
    if (schema === true) return true;
    if (schema === false) {
      this.errors.push({
        instancePath,
        schemaPath,
        keyword: "false schema",
        params: {},
        message: "boolean schema is false",
      });
      return false;
    }
    if (!isObject(schema)) return true;
    if (this.depth > 64) return true;
    this.depth += 1;
    try {
      return this.checkObject(schema, value, instancePath, schemaPath);
    } finally {
      this.depth -= 1;
    }
  }

  /** Validates without recording errors (for anyOf, oneOf, not, if). */
  quiet(schema: Schema, value: unknown): boolean {
    const before = this.errors.length;
    const ok = this.check(schema, value, "", "");
    this.errors.length = before;
    return ok;
  }

  private checkObject(schema: Json, value: unknown, at: string, path: string): boolean {
    const start = this.errors.length;
    if (typeof schema.$ref === "string") {
      const target = this.resolve(schema.$ref);
      if (target !== undefined) this.check(target, value, at, `${path}/$ref`);
      // draft-07: siblings of $ref are ignored
      return this.errors.length === start;
    }
    const types =
      typeof schema.type === "string"
        ? [schema.type]
        : Array.isArray(schema.type)
          ? (schema.type as string[])
          : undefined;
    if (types && !types.some((type) => typeMatches(type, value))) {
      this.fail(schema, "type", at, path, { type: types.join(",") }, `must be ${types.join(",")}`);
      return false;
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((option) => deepEqual(option, value))) {
      this.fail(schema, "enum", at, path, { allowedValues: schema.enum }, "must be equal to one of the allowed values");
    }
    if (Object.hasOwn(schema, "const") && !deepEqual(schema.const, value)) {
      this.fail(schema, "const", at, path, { allowedValue: schema.const }, "must be equal to constant");
    }
    if (typeof value === "string") this.checkString(schema, value, at, path);
    if (typeof value === "number") this.checkNumber(schema, value, at, path);
    if (Array.isArray(value)) this.checkArray(schema, value, at, path);
    if (isObject(value)) this.checkProperties(schema, value, at, path);
    this.checkCombinators(schema, value, at, path);
    return this.errors.length === start;
  }

  private checkString(schema: Json, value: string, at: string, path: string): void {
    if (typeof schema.minLength === "number" && length(value) < schema.minLength) {
      this.fail(
        schema,
        "minLength",
        at,
        path,
        { limit: schema.minLength },
        `must NOT have fewer than ${schema.minLength} characters`,
      );
    }
    if (typeof schema.maxLength === "number" && length(value) > schema.maxLength) {
      this.fail(
        schema,
        "maxLength",
        at,
        path,
        { limit: schema.maxLength },
        `must NOT have more than ${schema.maxLength} characters`,
      );
    }
    if (typeof schema.pattern === "string") {
      let matches = true;
      try {
        matches = new RegExp(schema.pattern, "u").test(value);
      } catch {
        matches = true; // an invalid pattern is the schema's problem, not the user's
      }
      if (!matches)
        this.fail(schema, "pattern", at, path, { pattern: schema.pattern }, `must match pattern "${schema.pattern}"`);
    }
    if (typeof schema.format === "string") {
      const check = formats[schema.format];
      if (check && !check(value)) {
        this.fail(schema, "format", at, path, { format: schema.format }, `must match format "${schema.format}"`);
      }
    }
  }

  private checkNumber(schema: Json, value: number, at: string, path: string): void {
    const bound = (keyword: string, ok: (limit: number) => boolean, comparison: string) => {
      const limit = schema[keyword];
      if (typeof limit === "number" && !ok(limit)) {
        this.fail(schema, keyword, at, path, { comparison, limit }, `must be ${comparison} ${limit}`);
      }
    };
    bound("minimum", (limit) => value >= limit, ">=");
    bound("maximum", (limit) => value <= limit, "<=");
    bound("exclusiveMinimum", (limit) => value > limit, ">");
    bound("exclusiveMaximum", (limit) => value < limit, "<");
    if (typeof schema.multipleOf === "number" && schema.multipleOf > 0) {
      const quotient = value / schema.multipleOf;
      if (Math.abs(quotient - Math.round(quotient)) > 1e-9) {
        this.fail(
          schema,
          "multipleOf",
          at,
          path,
          { multipleOf: schema.multipleOf },
          `must be multiple of ${schema.multipleOf}`,
        );
      }
    }
  }

  private checkArray(schema: Json, value: unknown[], at: string, path: string): void {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) {
      this.fail(
        schema,
        "minItems",
        at,
        path,
        { limit: schema.minItems },
        `must NOT have fewer than ${schema.minItems} items`,
      );
    }
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) {
      this.fail(
        schema,
        "maxItems",
        at,
        path,
        { limit: schema.maxItems },
        `must NOT have more than ${schema.maxItems} items`,
      );
    }
    if (schema.uniqueItems === true) {
      outer: for (let j = 1; j < value.length; j += 1) {
        for (let i = 0; i < j; i += 1) {
          if (deepEqual(value[i], value[j])) {
            this.fail(
              schema,
              "uniqueItems",
              at,
              path,
              { i, j },
              `must NOT have duplicate items (items ## ${i} and ${j} are identical)`,
            );
            break outer;
          }
        }
      }
    }
    if (Array.isArray(schema.items)) {
      const tuple = schema.items as Schema[];
      value.forEach((item, index) => {
        const itemSchema = tuple[index];
        if (itemSchema !== undefined) this.check(itemSchema, item, `${at}/${index}`, `${path}/items/${index}`);
        else if (schema.additionalItems !== undefined) {
          this.check(schema.additionalItems as Schema, item, `${at}/${index}`, `${path}/additionalItems`);
        }
      });
    } else if (schema.items !== undefined) {
      value.forEach((item, index) => {
        this.check(schema.items as Schema, item, `${at}/${index}`, `${path}/items`);
      });
    }
    if (schema.contains !== undefined && !value.some((item) => this.quiet(schema.contains as Schema, item))) {
      this.fail(schema, "contains", at, path, {}, "must contain at least 1 valid item(s)");
    }
  }

  private checkProperties(schema: Json, value: Json, at: string, path: string): void {
    if (Array.isArray(schema.required)) {
      for (const name of schema.required) {
        if (typeof name === "string" && (!Object.hasOwn(value, name) || value[name] === undefined)) {
          this.fail(schema, "required", at, path, { missingProperty: name }, `must have required property '${name}'`);
        }
      }
    }
    const keys = Object.keys(value).filter((key) => value[key] !== undefined);
    if (typeof schema.minProperties === "number" && keys.length < schema.minProperties) {
      this.fail(
        schema,
        "minProperties",
        at,
        path,
        { limit: schema.minProperties },
        `must NOT have fewer than ${schema.minProperties} properties`,
      );
    }
    if (typeof schema.maxProperties === "number" && keys.length > schema.maxProperties) {
      this.fail(
        schema,
        "maxProperties",
        at,
        path,
        { limit: schema.maxProperties },
        `must NOT have more than ${schema.maxProperties} properties`,
      );
    }
    const properties = isObject(schema.properties) ? schema.properties : {};
    const patterns = isObject(schema.patternProperties) ? schema.patternProperties : {};
    for (const key of keys) {
      const child = `${at}/${escapePointer(key)}`;
      let matched = false;
      if (Object.hasOwn(properties, key)) {
        matched = true;
        this.check(properties[key] as Schema, value[key], child, `${path}/properties/${escapePointer(key)}`);
      }
      for (const [pattern, patternSchema] of Object.entries(patterns)) {
        let hit = false;
        try {
          hit = new RegExp(pattern, "u").test(key);
        } catch {
          hit = false;
        }
        if (hit) {
          matched = true;
          this.check(patternSchema as Schema, value[key], child, `${path}/patternProperties/${escapePointer(pattern)}`);
        }
      }
      if (!matched && schema.additionalProperties !== undefined) {
        if (schema.additionalProperties === false) {
          this.fail(
            schema,
            "additionalProperties",
            at,
            path,
            { additionalProperty: key },
            "must NOT have additional properties",
          );
        } else {
          this.check(schema.additionalProperties as Schema, value[key], child, `${path}/additionalProperties`);
        }
      }
    }
    if (isObject(schema.dependencies)) {
      for (const [key, dependency] of Object.entries(schema.dependencies)) {
        if (!keys.includes(key)) continue;
        if (Array.isArray(dependency)) {
          const missing = dependency.filter((name) => typeof name === "string" && !keys.includes(name));
          for (const name of missing) {
            this.fail(
              schema,
              "dependencies",
              at,
              path,
              { property: key, missingProperty: name, deps: dependency.join(", "), depsCount: dependency.length },
              `must have property ${name} when property ${key} is present`,
            );
          }
        } else {
          this.check(dependency as Schema, value, at, `${path}/dependencies/${escapePointer(key)}`);
        }
      }
    }
    if (schema.propertyNames !== undefined) {
      for (const key of keys) {
        if (!this.quiet(schema.propertyNames as Schema, key)) {
          this.fail(schema, "propertyNames", at, path, { propertyName: key }, "property name must be valid");
        }
      }
    }
  }

  private checkCombinators(schema: Json, value: unknown, at: string, path: string): void {
    if (Array.isArray(schema.allOf)) {
      schema.allOf.forEach((sub, index) => {
        this.check(sub as Schema, value, at, `${path}/allOf/${index}`);
      });
    }
    if (Array.isArray(schema.anyOf) && !schema.anyOf.some((sub) => this.quiet(sub as Schema, value))) {
      // Ajv reports each branch's errors, then anyOf itself.
      schema.anyOf.forEach((sub, index) => {
        this.check(sub as Schema, value, at, `${path}/anyOf/${index}`);
      });
      this.fail(schema, "anyOf", at, path, {}, "must match a schema in anyOf");
    }
    if (Array.isArray(schema.oneOf)) {
      const passing = schema.oneOf
        .map((sub, index) => (this.quiet(sub as Schema, value) ? index : -1))
        .filter((i) => i >= 0);
      if (passing.length === 0) {
        schema.oneOf.forEach((sub, index) => {
          this.check(sub as Schema, value, at, `${path}/oneOf/${index}`);
        });
        this.fail(schema, "oneOf", at, path, { passingSchemas: null }, "must match exactly one schema in oneOf");
      } else if (passing.length > 1) {
        this.fail(
          schema,
          "oneOf",
          at,
          path,
          { passingSchemas: passing.slice(0, 2) },
          "must match exactly one schema in oneOf",
        );
      }
    }
    if (schema.not !== undefined && this.quiet(schema.not as Schema, value)) {
      this.fail(schema, "not", at, path, {}, "must NOT be valid");
    }
    if (schema.if !== undefined && (schema.then !== undefined || schema.else !== undefined)) {
      const branch = this.quiet(schema.if as Schema, value) ? "then" : "else";
      const sub = schema[branch];
      if (sub !== undefined && !this.check(sub as Schema, value, at, `${path}/${branch}`)) {
        this.fail(schema, "if", at, path, { failingKeyword: branch }, `must match "${branch}" schema`);
      }
    }
  }
}

/** Every error of `value` against `schema`; `$ref`s resolve against `root` (default: the schema). */
export function validateSchema(schema: Schema, value: unknown, root: Schema = schema): SchemaError[] {
  const run = new Run(root);
  run.check(schema, value, "", "#");
  return run.errors;
}

export function isValidAgainst(schema: Schema, value: unknown, root: Schema = schema): boolean {
  return validateSchema(schema, value, root).length === 0;
}
