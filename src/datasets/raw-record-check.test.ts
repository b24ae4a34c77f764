import { describe, expect, it } from "vitest";
import { identityMapping } from "../mapping/compile.ts";
import { planRowSchema } from "../verify/dataset-schema.ts";
import type { JsonSchema } from "./dataset-sink.ts";
import { compileRecordCheck } from "./parquet/schema-validator.ts";
import { compileRawRecordCheck, type RawRecordCheck } from "./raw-record-check.ts";

const notes =
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.";

function benchRecord(i: number): Record<string, unknown> {
  return {
    id: i,
    email: `user${i}@example.com`,
    first_name: `First${i}`,
    last_name: `Last${i}`,
    status: i % 7 === 0 ? "unsubscribed" : "subscribed",
    score: (i % 1000) / 10,
    created_at: "2024-01-02T03:04:05.678Z",
    updated_at: "2024-06-07T08:09:10.111Z",
    tags: ["alpha", "beta", "gamma"].slice(0, (i % 3) + 1),
    address: { street: `${i} Main Street`, city: "Springfield", zip: "12345", country: "US" },
    preferences: { newsletter: true, frequency: "weekly", channels: ["email", "sms"] },
    notes,
  };
}

const benchSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    email: { type: "string" },
    first_name: { type: "string" },
    last_name: { type: "string" },
    status: { type: "string" },
    score: { type: "number" },
    created_at: { type: "string", format: "date-time" },
    updated_at: { type: "string", format: "date-time" },
    tags: { type: "array", items: { type: "string" } },
    address: {
      type: "object",
      properties: {
        street: { type: "string" },
        city: { type: "string" },
        zip: { type: "string" },
        country: { type: "string" },
      },
    },
    preferences: {
      type: "object",
      properties: {
        newsletter: { type: "boolean" },
        frequency: { type: "string" },
        channels: { type: "array", items: { type: "string" } },
      },
    },
    notes: { type: "string" },
  },
};

/** Required members, enum, const, formats, nullable unions, boolean schemas, keywords left to Ajv, untyped values. */
const mixedSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://ns.adobe.com/test/schemas/mixed",
  title: "mixed",
  "x-origin": "test",
  type: "object",
  required: ["id", "kind"],
  properties: {
    id: { type: "integer", minimum: 0 },
    kind: { type: "string", enum: ["a", "b", "c"] },
    flag: { type: "boolean", default: false },
    ratio: { type: ["number", "null"], maximum: 100 },
    day: { type: "string", format: "date" },
    at: { type: ["string", "null"], format: "date-time" },
    label: { type: "string", maxLength: 8, description: "short" },
    anything: {},
    union: { type: ["integer", "string"] },
    fixed: { const: "x" },
    never: false,
    always: true,
    meta: {
      type: "object",
      properties: {
        source: { type: "string" },
        count: { type: "integer" },
        tags: { type: "array", items: { type: ["string", "null"] } },
      },
      required: ["source"],
    },
    closed: { type: ["object", "null"], properties: { k: { type: "string" } }, additionalProperties: false },
    choice: { anyOf: [{ type: "string", format: "date-time" }, { type: "integer" }] },
    rows: {
      type: "array",
      items: { type: "object", properties: { n: { type: "number" }, ok: { type: "boolean" } }, required: ["n"] },
    },
    inherited: { type: "object", properties: { constructor: { type: "string" } } },
    inheritedRequired: { type: "object", required: ["toString"] },
    raw: { type: "object" },
    list: { type: "array" },
  },
};

/** What `inlet verify` makes of a sample of records, with the `$id` the catalog adds. */
function inferredSchema(records: readonly unknown[]): JsonSchema {
  return { ...planRowSchema({ data: [...records] }).schema, $id: "https://ns.adobe.com/test/schemas/inferred" };
}

const text = (value: unknown) => Buffer.from(JSON.stringify(value));

function mustCompile(schema: JsonSchema): RawRecordCheck {
  const check = compileRawRecordCheck(schema);
  if (check === undefined) throw new Error("the schema should be handled");
  return check;
}

describe("compileRawRecordCheck", () => {
  const bench = mustCompile(benchSchema);

  it("vouches for the benchmark record, compact or spaced out", () => {
    expect(bench(text(benchRecord(7)))).toBe(true);
    expect(bench(Buffer.from(JSON.stringify(benchRecord(8), null, 2)))).toBe(true);
  });

  it("vouches for the benchmark record under the schema inlet verify infers (nullable, no required)", () => {
    const records = [benchRecord(1), benchRecord(2), benchRecord(3)];
    const check = mustCompile(inferredSchema(records));
    for (const record of records) expect(check(text(record))).toBe(true);
    expect(check(text({ ...benchRecord(4), email: null, address: { street: null, city: "X" } }))).toBe(true);
  });

  const raw = (record: Record<string, unknown>, from: string, to: string) =>
    Buffer.from(JSON.stringify(record).replace(from, to));
  const good = benchRecord(42);
  const cases: Array<[string, Buffer]> = [
    ["a string for an integer", text({ ...good, id: "42" })],
    ["a number for a string", text({ ...good, email: 5 })],
    ["a boolean for a number", text({ ...good, score: true })],
    ["an object for an array", text({ ...good, tags: {} })],
    ["a wrong type nested", text({ ...good, address: { ...(good.address as object), city: 5 } })],
    ["a wrong type in an array", text({ ...good, tags: ["a", 1] })],
    ["an integer written 1.0", raw(good, '"id":42', '"id":1.0')],
    ["an integer written 1e3", raw(good, '"id":42', '"id":1e3')],
    ["an integer beyond 2^53", raw(good, '"id":42', '"id":9007199254740993')],
    ["a negative zero", raw(good, '"id":42', '"id":-0')],
    ["a number with an exponent", raw(good, '"score":4.2', '"score":4.2e0')],
    ["a nested null where the schema says string", text({ ...good, address: { city: null } })],
    ["a duplicate member", raw(good, '"id":42', '"id":42,"id":43')],
    ["a duplicate member, escaped", raw(good, '"id":42', '"id":42,"\\u0069d":43')],
    ["a duplicate nested member", raw(good, '"zip":"12345"', '"zip":"12345","zip":"1"')],
    ["a duplicate nested extra member", raw(good, '"zip":"12345"', '"x":1,"zip":"12345","x":2')],
    ["a bad date-time", text({ ...good, created_at: "2024-02-30T00:00:00Z" })],
    ["a leap second that is not one", text({ ...good, created_at: "2024-02-03T10:59:60Z" })],
    ["a date-time without offset", text({ ...good, created_at: "2024-02-03T00:00:00" })],
    ["an array record", text([good])],
    ["a string record", text("record")],
    ["a null record", text(null)],
  ];
  it.each(cases)("refuses %s", (_, json) => {
    expect(bench(json)).toBe(false);
  });

  const mixed = mustCompile(mixedSchema);
  const base = { id: 1, kind: "a", meta: { source: "s" } };
  const mixedCases: Array<[string, unknown, boolean]> = [
    ["the minimal record", base, true],
    ["a missing required member", { kind: "a" }, false],
    ["a null required member (dropped from the row)", { ...base, id: null }, false],
    ["a missing nested required member", { ...base, meta: { count: 1 } }, false],
    ["a null nested required member (present for Ajv)", { ...base, meta: { source: null } }, false],
    ["an enum miss", { ...base, kind: "d" }, false],
    ["a const miss", { ...base, fixed: "y" }, false],
    ["a minimum miss", { ...base, id: -1 }, false],
    ["a string too long", { ...base, label: "123456789" }, false],
    ["a member the schema forbids", { ...base, never: 1 }, false],
    ["a null for a member the schema forbids (left out of the row)", { ...base, never: null }, true],
    ["a closed object with an extra member", { ...base, closed: { k: "v", x: 1 } }, false],
    ["a nested object with extra members", { ...base, meta: { source: "s", extra: [1, { a: null }] } }, true],
    ["top-level members the schema lacks", { ...base, other: { x: [1, 2] }, more: "x" }, true],
    ["anyOf met by its second branch", { ...base, choice: 5 }, true],
    ["anyOf met by neither branch", { ...base, choice: "soon" }, false],
    ["a leap second (RFC 3339 allows it, DuckDB does not)", { ...base, at: "2016-12-31T23:59:60Z" }, false],
    ["a lowercase t and z (RFC 3339 allows them, DuckDB does not)", { ...base, at: "2024-01-01t10:00:00z" }, false],
    ["a date-time with an offset", { ...base, at: "2024-01-02T03:04:05+01:00" }, true],
    ["a date", { ...base, day: "2024-02-29" }, true],
    ["a date that does not exist", { ...base, day: "2023-02-29" }, false],
    ["an untyped member of any type", { ...base, anything: [{ a: 1 }, "x", null] }, true],
    ["an inherited name present", { ...base, inherited: { constructor: "c" } }, true],
    ["an inherited required name (Ajv sees Object.prototype's)", { ...base, inheritedRequired: {} }, true],
    ["an inherited name missing (Ajv sees Object.prototype's)", { ...base, inherited: {} }, false],
    ["an inherited name of the wrong type", { ...base, inherited: { constructor: 1 } }, false],
  ];
  it.each(mixedCases)("answers for %s", (_, record, expected) => {
    expect(mixed(text(record))).toBe(expected);
    // These records are plain enough that the check and the slow path agree both ways.
    expect(slowPathOutcome(mixedSchema, JSON.stringify(record)) === "unchanged").toBe(expected);
  });

  it("matches member names escaped or not, and skips whitespace anywhere", () => {
    expect(mixed(Buffer.from(' {\n\t"\\u0069d" : 1 ,\r\n "kind":"a", "meta" : { "source" : "\\"s\\"" } } '))).toBe(
      true,
    );
  });

  it("is undefined for schemas it cannot vouch for", () => {
    const unsupported: unknown[] = [
      { type: "object", properties: { a: { $ref: "#/definitions/a" } }, definitions: { a: { type: "string" } } },
      { type: "object", properties: { a: { type: "string" } }, additionalProperties: false },
      { type: "object", properties: { a: { type: "string" } }, allOf: [{ required: ["a"] }] },
      { type: "object", properties: { a: { type: "string" } }, required: ["b"] },
      { type: "object", properties: { constructor: { type: "string" } } },
      JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}}}'),
      { type: "object", properties: { a: { type: "object", properties: { b: { $async: true } } } } },
      { type: "array", properties: { a: { type: "string" } } },
      { type: "object", properties: {} },
    ];
    for (const schema of unsupported) expect(compileRawRecordCheck(schema as JsonSchema)).toBeUndefined();
  });
});

// The differential test ----------------------------------------------------------------------------

/** mulberry32: a tiny seeded PRNG, so failures reproduce. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = "unchanged" | "changed" | "refused";

const slowPaths = new Map<JsonSchema, (json: string) => Outcome>();

/** What the slow path makes of the record's text: the row written unchanged, a converted row, or a failure. */
function slowPathOutcome(schema: JsonSchema, json: string): Outcome {
  let slowPath = slowPaths.get(schema);
  if (slowPath === undefined) {
    const mapping = identityMapping(schema);
    const recordCheck = compileRecordCheck(schema);
    const names = Object.keys(schema.properties as object);
    slowPath = (json) => {
      const parsed: unknown = JSON.parse(json);
      const mapped = mapping.apply(parsed as Record<string, unknown>);
      if (!mapped.ok || recordCheck(mapped.row) !== undefined) return "refused";
      const record = parsed as Record<string, unknown>;
      const kept = names.filter((name) => Object.hasOwn(record, name) && record[name] !== null);
      const row = mapped.row;
      const same = Object.keys(row).length === kept.length && kept.every((name) => row[name] === record[name]);
      return same ? "unchanged" : "changed";
    };
    slowPaths.set(schema, slowPath);
  }
  return slowPath(json);
}

const words = ["", "a", "b", "x", "abc", "héllo", "😀 emoji", 'quote " and \\', "line\nbreak", "\u0000", "123456789"];
const dateTimes = [
  "2024-01-02T03:04:05.678Z",
  "2024-02-29T12:00:00Z",
  "2024-01-01T10:00:00+05:30",
  "2024-01-01 10:00:00Z",
];
const badDateTimes = [
  "2023-02-29T12:00:00Z",
  "2024-01-01T10:00:00",
  "2024-01-01T24:00:00Z",
  "2024-01-01T10:59:60Z",
  "2024-13-01T00:00:00Z",
  "2016-12-31T23:59:60Z",
  "2024-01-01t10:00:00.5z",
];
const dates = ["2024-01-02", "2024-02-29", "0000-01-01"];
const badDates = ["2023-02-29", "2024-04-31", "2024-1-2"];
const memberNames = [
  "id",
  "kind",
  "x",
  "extra",
  "n",
  "ok",
  "source",
  "k",
  "constructor",
  "toString",
  "__proto__",
  "é",
  "",
];

/** Without a prototype, so that a member named `__proto__` is an own member like any other. */
const newObject = () => Object.create(null) as Record<string, unknown>;

class Generator {
  /** Set when a duplicate member lands where it counts: anywhere but among top-level members the schema lacks. */
  duplicateCounts = false;
  /** Set when a number token is not a plain decimal of at most 15 digits (the check may refuse those). */
  exotic = false;

  /** `noise`: how often a choice goes wrong (a random value, a bad date, a duplicate, an odd number spelling). */
  constructor(
    private readonly random: () => number,
    private readonly noise: number,
  ) {}

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  anyValue(depth: number): unknown {
    const r = this.random();
    if (r < 0.1) return null;
    if (r < 0.2) return this.chance(0.5);
    if (r < 0.35) return this.integer();
    if (r < 0.45) return this.fraction();
    if (r < 0.65) return this.pick([...words, ...dateTimes, ...badDateTimes, ...dates]);
    if (depth > 2) return 0;
    if (r < 0.8) return Array.from({ length: Math.floor(this.random() * 3) }, () => this.anyValue(depth + 1));
    const object = newObject();
    for (let i = Math.floor(this.random() * 3); i > 0; i--) object[this.pick(memberNames)] = this.anyValue(depth + 1);
    return object;
  }

  integer(): number {
    if (!this.chance(this.noise)) return Math.floor(this.random() * 1000);
    return this.pick([
      2 ** 53 + 2 * Math.floor(this.random() * 1000),
      -Math.floor(this.random() * 1000),
      Math.floor(this.random() * 1e12),
    ]);
  }

  fraction(): number {
    if (!this.chance(this.noise)) return Math.round(this.random() * 10000 - 2500) / 100;
    return this.pick([this.random() * 1e-9, this.random(), 1e300]);
  }

  /** A value meant to fit the sub-schema (sometimes it does not). */
  valueFor(schema: unknown, depth: number): unknown {
    if (typeof schema !== "object" || schema === null || this.chance(this.noise)) return this.anyValue(depth);
    const s = schema as Record<string, unknown>;
    if (Array.isArray(s.enum)) return this.pick(s.enum);
    if (s.const !== undefined) return s.const;
    if (Array.isArray(s.anyOf)) return this.valueFor(this.pick(s.anyOf), depth);
    const types = Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type];
    const type = types.length === 0 ? undefined : this.pick(types);
    const wrong = this.chance(this.noise * 3);
    switch (type) {
      case undefined:
        return this.anyValue(depth);
      case "null":
        return null;
      case "boolean":
        return this.chance(0.5);
      case "integer":
        return this.integer();
      case "number":
        return this.chance(0.5) ? this.integer() : this.fraction();
      case "string":
        if (s.format === "date-time") return this.pick(wrong ? badDateTimes : dateTimes);
        if (s.format === "date") return this.pick(wrong ? badDates : dates);
        return this.pick(words);
      case "array":
        return Array.from({ length: Math.floor(this.random() * 4) }, () => this.valueFor(s.items, depth + 1));
      default:
        return this.objectFor(s, depth);
    }
  }

  objectFor(schema: Record<string, unknown>, depth: number): Record<string, unknown> {
    const properties = (schema.properties ?? {}) as Record<string, unknown>;
    const required = (schema.required ?? []) as string[];
    const object = newObject();
    for (const [name, child] of Object.entries(properties)) {
      const optional = !required.includes(name) || this.chance(this.noise);
      const r = this.random();
      if (optional && (r < 0.1 || (child === false && !this.chance(this.noise)))) continue;
      object[name] = optional && r < 0.18 ? null : this.valueFor(child, depth + 1);
    }
    for (let i = this.chance(0.3) ? Math.floor(this.random() * 3) + 1 : 0; i > 0; i--) {
      const name = this.pick(memberNames);
      if (!(name in object || name in properties) || this.chance(this.noise)) object[name] = this.anyValue(depth + 1);
    }
    return object;
  }

  space(): string {
    return this.chance(0.15) ? this.pick([" ", "\n", "\t", "\r\n  "]) : "";
  }

  /**
   * JSON text of the value with random whitespace, escapes, number spellings and duplicate members.
   * `schemaNames` for the record itself; `counts` false inside members the mapping drops.
   */
  write(value: unknown, schemaNames: ReadonlySet<string> | undefined, counts: boolean): string {
    if (typeof value === "number") return this.number(value);
    if (typeof value === "string") return this.string(value);
    if (Array.isArray(value)) {
      const items = value.map((item) => this.space() + this.write(item, undefined, counts) + this.space());
      return `[${items.join(",")}]`;
    }
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    const member = (name: string, child: unknown) => {
      const childCounts = schemaNames === undefined ? counts : schemaNames.has(name);
      const text = this.write(child, undefined, childCounts);
      return `${this.space()}${this.string(name)}${this.space()}:${this.space()}${text}`;
    };
    const members = Object.entries(value).map(([name, child]) => member(name, child));
    if (members.length > 0 && this.chance(this.noise)) {
      const name = this.pick(Object.keys(value));
      members.push(member(name, this.anyValue(2)));
      if (schemaNames === undefined ? counts : schemaNames.has(name)) this.duplicateCounts = true;
    }
    return `{${this.space()}${members.join(",")}${this.space()}}`;
  }

  string(value: string): string {
    if (value === "" || !this.chance(0.1)) return JSON.stringify(value);
    const code = value.charCodeAt(0).toString(16).padStart(4, "0");
    return `"\\u${code}${JSON.stringify(value.slice(1)).slice(1)}`;
  }

  number(value: number): string {
    const token = String(value);
    if (!token.includes("e") && this.chance(this.noise)) {
      this.exotic = true;
      if (!Number.isInteger(value)) return `${token}0`;
      return this.pick([`${token}.0`, `${token}e0`, value === 0 ? "-0" : `${token}E+00`, "1e400"]);
    }
    if (token.includes("e") || token.replace(/\D/g, "").length > 15) this.exotic = true;
    return token;
  }
}

describe("compileRawRecordCheck, against the slow path", () => {
  const schemas: Array<[string, JsonSchema]> = [
    ["benchmark", benchSchema],
    ["inferred", inferredSchema([benchRecord(1), { ...benchRecord(2), extra: null, id: null }])],
    ["mixed", mixedSchema],
  ];

  it.each(schemas)("never vouches for a record the slow path would change or refuse (%s)", (_, schema) => {
    const check = mustCompile(schema);
    const random = prng(0x5eed);
    const schemaNames = new Set(Object.keys(schema.properties as object));
    const problems: string[] = [];
    let vouched = 0;
    let clean = 0;
    let cleanVouched = 0;
    for (let i = 0; i < 2000; i++) {
      const generator = new Generator(random, random() < 0.5 ? 0.01 : 0.2);
      const record = generator.chance(0.03)
        ? generator.anyValue(0)
        : generator.objectFor(schema as Record<string, unknown>, 0);
      const json = generator.space() + generator.write(record, schemaNames, true) + generator.space();
      const answer = check(Buffer.from(json));
      const outcome = slowPathOutcome(schema, json);
      if (answer) {
        vouched++;
        if (generator.duplicateCounts) problems.push(`duplicate member: ${json}`);
        if (outcome !== "unchanged") problems.push(`${outcome}: ${json}`);
      }
      if (outcome === "unchanged" && !generator.duplicateCounts && !generator.exotic) {
        clean++;
        if (answer) cleanVouched++;
      }
    }
    expect(problems).toEqual([]);
    // Useful, not only safe: plain records the slow path writes unchanged take the fast path.
    expect(clean).toBeGreaterThan(100);
    expect(cleanVouched / clean).toBeGreaterThan(0.95);
    expect(vouched).toBeGreaterThan(100);
  });
});
