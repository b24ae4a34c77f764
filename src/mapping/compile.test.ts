import { describe, expect, it } from "vitest";
import { FlowError } from "../errors.ts";
import { compileMapping, identityMapping } from "./compile.ts";

const schemaId = "https://ns.adobe.com/testorg/schemas/0123456789abcdef0123456789abcdef";
const schema = {
  $id: schemaId,
  type: "object",
  properties: {
    id: { type: "string" },
    email: { type: "string" },
    fullName: { type: "string" },
    age: { type: ["integer", "null"] },
    score: { type: "number" },
    active: { type: "boolean" },
    seenAt: { type: "string", format: "date-time" },
    birthday: { type: "string", format: "date" },
    tags: { type: "array", items: { type: "string" } },
    address: {
      type: "object",
      properties: { city: { type: "string" }, geo: { type: "object", properties: { lat: { type: "number" } } } },
    },
    raw: {},
  },
};
const now = new Date("2024-05-06T07:08:09.010Z");

function compileError(mappingSet: Record<string, unknown>): FlowError {
  try {
    compileMapping(mappingSet, schema, () => now);
  } catch (error) {
    if (error instanceof FlowError) return error;
    throw error;
  }
  throw new Error("expected the mapping set to be refused");
}

const problemsOf = (error: FlowError) => (error.details.problems as Array<{ pointer: string; message: string }>) ?? [];

describe("compileMapping", () => {
  it("maps dialect (b): ATTRIBUTE and EXPRESSION sources onto nested destinations", () => {
    const mapping = compileMapping(
      {
        mappings: [
          { sourceType: "ATTRIBUTE", source: "results.id", destination: "id" },
          { sourceType: "EXPRESSION", source: "lower(trim(member.email))", destination: "email", name: "email" },
          {
            sourceType: "EXPRESSION",
            source: 'concat(member.first_name, " ", member.last_name)',
            destination: "fullName",
          },
          { sourceType: "EXPRESSION", source: "to_integer(member.age)", destination: "age" },
          { sourceType: "ATTRIBUTE", source: "member.location.city", destination: "address.city" },
          { sourceType: "ATTRIBUTE", source: "member.location.lat", destination: "address.geo.lat" },
          { sourceType: "EXPRESSION", source: "now()", destination: "seenAt" },
          { sourceType: "ATTRIBUTE", source: "member.tags", destination: "tags" },
        ],
      },
      schema,
      () => now,
    );
    const record = {
      results: { id: "r-1" },
      member: {
        email: "  Ann@Example.COM ",
        first_name: "Ann",
        last_name: "Lee",
        age: "41",
        location: { city: "Basel", lat: 47.5 },
        tags: ["a", "b"],
      },
    };
    expect(mapping.apply(record)).toEqual({
      ok: true,
      row: {
        id: "r-1",
        email: "ann@example.com",
        fullName: "Ann Lee",
        age: 41,
        address: { city: "Basel", geo: { lat: 47.5 } },
        seenAt: "2024-05-06T07:08:09.010Z",
        tags: ["a", "b"],
      },
    });
  });

  it("maps dialect (a): xdmSchema with destinationXdmPath/sourceAttribute", () => {
    const mapping = compileMapping(
      {
        version: 0,
        xdmSchema: schemaId,
        xdmVersion: "1.0",
        id: null,
        mappings: [
          { destinationXdmPath: "id", sourceAttribute: "member.id", identity: false, version: 0 },
          { destinationXdmPath: "address.city", sourceAttribute: "member.city", identity: false, version: 0 },
        ],
      },
      schema,
    );
    expect(mapping.apply({ member: { id: "m1", city: "Bern" } })).toEqual({
      ok: true,
      row: { id: "m1", address: { city: "Bern" } },
    });
  });

  it("leaves missing and null values out, and builds no empty parent objects", () => {
    const mapping = compileMapping(
      {
        mappings: [
          { source: "a", destination: "id" },
          { source: "b", destination: "address.city" },
          { source: "coalesce(c, null)", sourceType: "EXPRESSION", destination: "email" },
        ],
      },
      schema,
    );
    expect(mapping.apply({ a: null })).toEqual({ ok: true, row: {} });
  });

  it("converts values to the destination's type as the to_* functions would", () => {
    const mapping = compileMapping(
      {
        mappings: [
          { source: "n", destination: "id" },
          { source: "s", destination: "age" },
          { source: "f", destination: "score" },
          { source: "b", destination: "active" },
          { source: "epoch", destination: "seenAt" },
          { source: "to_datetime(day)", sourceType: "EXPRESSION", destination: "birthday" },
          { source: "to_datetime(day)", sourceType: "EXPRESSION", destination: "raw" },
        ],
      },
      schema,
    );
    expect(
      mapping.apply({ n: 12, s: "7", f: "2.5", b: "yes", epoch: 1_700_000_000, day: "2024-02-29T23:00:00Z" }),
    ).toEqual({
      ok: true,
      row: {
        id: "12",
        age: 7,
        score: 2.5,
        active: true,
        seenAt: "2023-11-14T22:13:20.000Z",
        birthday: "2024-02-29",
        raw: "2024-02-29T23:00:00.000Z",
      },
    });
    // Text for a date-time destination is kept as it is: the dataset schema checks its format.
    expect(mapping.apply({ epoch: "2024-03-01T10:00:00+02:00" })).toEqual({
      ok: true,
      row: { seenAt: "2024-03-01T10:00:00+02:00" },
    });
  });

  it("fails a record with a reason naming the call, the destination and the problem", () => {
    const mapping = compileMapping(
      {
        mappings: [
          { sourceType: "EXPRESSION", source: "to_integer(member.age)", destination: "age" },
          { sourceType: "ATTRIBUTE", source: "member.score", destination: "score" },
          { sourceType: "ATTRIBUTE", source: "member.address", destination: "email" },
        ],
      },
      schema,
    );
    expect(mapping.apply({ member: { age: "abc" } })).toEqual({
      ok: false,
      reason: 'to_integer("abc") at destination age: not an integer',
    });
    expect(mapping.apply({ member: { score: "high" } })).toEqual({
      ok: false,
      reason: '"high" at destination score: not a number',
    });
    expect(mapping.apply({ member: { address: { city: "x" } } })).toEqual({
      ok: false,
      reason: '{"city":"x"} at destination email: expects text, got an object',
    });
    expect(mapping.apply("not a record" as never)).toEqual({ ok: false, reason: "the record is not a JSON object" });
    expect(mapping.apply([] as never)).toEqual({ ok: false, reason: "the record is not a JSON object" });
  });

  it("keeps hostile records as data", () => {
    const mapping = compileMapping(
      {
        mappings: [
          { source: "constructor", destination: "id" },
          { source: "__proto__.polluted", destination: "email" },
          { source: "concat(a)", sourceType: "EXPRESSION", destination: "fullName" },
        ],
      },
      schema,
    );
    expect(mapping.apply({})).toEqual({ ok: true, row: {} });
    const hostile = JSON.parse('{"constructor": "c", "__proto__": {"polluted": "yes"}, "a": "process.exit(1)"}');
    expect(mapping.apply(hostile)).toEqual({ ok: true, row: { id: "c", email: "yes", fullName: "process.exit(1)" } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  describe("refuses a mapping set the dataset cannot take (1419)", () => {
    it("collects every problem with a pointer", () => {
      const error = compileError({
        mappings: [
          { sourceType: "EXPRESSION", source: "lowercase(a)", destination: "email" },
          { sourceType: "EXPRESSION", source: "lower(a, b)", destination: "fullName" },
          { sourceType: "ATTRIBUTE", source: "a..b", destination: "id" },
          { sourceType: "ATTRIBUTE", source: "x", destination: "nickname" },
          { sourceType: "ATTRIBUTE", source: "y", destination: "address.zip" },
          { sourceType: "ATTRIBUTE", source: "y", destination: "address.city.name" },
          { sourceType: "ATTRIBUTE", source: "y", destination: "tags[0]" },
        ],
      });
      expect(error.kind).toBe("mappingInvalid");
      expect(error.code).toBe(1419);
      expect(problemsOf(error).map((p) => [p.pointer, p.message])).toEqual([
        ["/mappings/0/source", expect.stringMatching(/invalid expression at character 1: unknown function lowercase/)],
        ["/mappings/1/source", expect.stringMatching(/lower takes 1 argument, got 2/)],
        ["/mappings/2/source", expect.stringMatching(/"a\.\.b" is not a field path/)],
        [
          "/mappings/3/destination",
          expect.stringMatching(/the dataset schema has no property "nickname" \(it has: id, email/),
        ],
        ["/mappings/4/destination", expect.stringMatching(/address has no property "zip"/)],
        ["/mappings/5/destination", expect.stringMatching(/address\.city is not an object with properties/)],
        ["/mappings/6/destination", expect.stringMatching(/not a destination path/)],
      ]);
      expect(error.message).toMatch(/^The mapping set has 7 problem\(s\): \/mappings\/0\/source/);
    });

    it("refuses malformed sets and entries", () => {
      expect(problemsOf(compileError({}))).toEqual([expect.objectContaining({ pointer: "/mappings" })]);
      expect(problemsOf(compileError({ mappings: [] }))).toEqual([expect.objectContaining({ pointer: "/mappings" })]);
      const entries = compileError({
        mappings: [
          "x",
          { sourceType: "CONSTANT", source: "a", destination: "id" },
          { source: "a", destination: "id", sourceAttribute: "b" },
          { source: "", destination: "id" },
          { source: "a" },
          { source: "a", destination: "id", identity: "yes" },
        ],
      });
      expect(problemsOf(entries).map((p) => p.pointer)).toEqual([
        "/mappings/0",
        "/mappings/1/sourceType",
        "/mappings/2",
        "/mappings/3/source",
        "/mappings/4/destination",
        "/mappings/5/identity",
      ]);
    });

    it("refuses two writers of one destination, or of one inside the other", () => {
      const error = compileError({
        mappings: [
          { source: "a", destination: "address" },
          { source: "b", destination: "address.city" },
          { source: "c", destination: "id" },
          { source: "d", destination: "id" },
          { source: "e", destination: "__proto__" },
        ],
      });
      expect(problemsOf(error).map((p) => p.message)).toEqual([
        "destination address.city overlaps address written by /mappings/0",
        "destination id is also written by /mappings/2",
        '"__proto__" cannot be a destination name',
      ]);
    });
  });

  it("refuses a set naming another schema than the dataset's (1425)", () => {
    const error = compileError({
      xdmSchema: "https://ns.adobe.com/testorg/schemas/other",
      mappings: [{ source: "a", destination: "id" }],
    });
    expect(error.kind).toBe("mappingSchemaMismatch");
    expect(error.code).toBe(1425);
    const viaOutputSchema = compileError({
      outputSchema: { schemaRef: { id: "https://ns.adobe.com/x/schemas/y" } },
      mappings: [{ source: "a", destination: "id" }],
    });
    expect(viaOutputSchema.code).toBe(1425);
  });
});

describe("CompiledMapping.identity", () => {
  const names = Object.keys(schema.properties);
  const byName = (list: readonly string[]) =>
    list.map((name) => ({ sourceType: "ATTRIBUTE", source: name, destination: name }));

  it("is true for identityMapping and for a set mapping every property from its own name, in any order", () => {
    expect(identityMapping(schema).identity).toBe(true);
    expect(compileMapping({ mappings: byName([...names].reverse()) }, schema).identity).toBe(true);
  });

  it("is false when a property is left out, renamed, read from deeper, or computed", () => {
    const partial = byName(names.slice(1));
    expect(compileMapping({ mappings: partial }, schema).identity).toBe(false);
    const renamed = [...partial, { sourceType: "ATTRIBUTE", source: "other", destination: names[0] }];
    expect(compileMapping({ mappings: renamed }, schema).identity).toBe(false);
    const deeper = [...partial, { sourceType: "ATTRIBUTE", source: `x.${names[0]}`, destination: names[0] }];
    expect(compileMapping({ mappings: deeper }, schema).identity).toBe(false);
    const computed = [...partial, { sourceType: "EXPRESSION", source: names[0], destination: names[0] }];
    expect(compileMapping({ mappings: computed }, schema).identity).toBe(false);
  });
});

describe("identityMapping", () => {
  it("copies top-level fields the schema names, converting like a mapping; the rest is dropped", () => {
    const mapping = identityMapping(schema);
    expect(
      mapping.apply({
        id: 5,
        email: "a@b",
        age: "41",
        active: "false",
        extra: "dropped",
        address: { city: "x", more: 1 },
      }),
    ).toEqual({ ok: true, row: { id: "5", email: "a@b", age: 41, active: false, address: { city: "x", more: 1 } } });
    expect(mapping.apply({ id: null })).toEqual({ ok: true, row: {} });
    expect(mapping.apply({ age: "x" })).toEqual({ ok: false, reason: '"x" at destination age: not an integer' });
  });

  it("reads only own fields", () => {
    const mapping = identityMapping({ type: "object", properties: { constructor: {}, toString: { type: "string" } } });
    expect(mapping.apply({})).toEqual({ ok: true, row: {} });
    expect(mapping.apply(JSON.parse('{"constructor": 1}'))).toEqual({ ok: true, row: { constructor: 1 } });
  });

  it("refuses a schema without properties", () => {
    expect(() => identityMapping({ type: "object" })).toThrow(FlowError);
  });
});

describe("apply speed (micro-benchmark)", () => {
  it("maps a realistic 10-field record quickly", () => {
    const benchSchema = {
      type: "object",
      properties: {
        id: { type: "string" },
        email: { type: "string" },
        firstName: { type: "string" },
        lastName: { type: "string" },
        fullName: { type: "string" },
        status: { type: "string" },
        rating: { type: "integer" },
        vip: { type: "boolean" },
        createdAt: { type: "string", format: "date-time" },
        address: { type: "object", properties: { city: { type: "string" }, country: { type: "string" } } },
      },
    };
    const mapping = compileMapping(
      {
        mappings: [
          { sourceType: "ATTRIBUTE", source: "id", destination: "id" },
          { sourceType: "EXPRESSION", source: "lower(email_address)", destination: "email" },
          { sourceType: "ATTRIBUTE", source: "merge_fields.FNAME", destination: "firstName" },
          { sourceType: "ATTRIBUTE", source: "merge_fields.LNAME", destination: "lastName" },
          {
            sourceType: "EXPRESSION",
            source: 'concat(merge_fields.FNAME, " ", merge_fields.LNAME)',
            destination: "fullName",
          },
          { sourceType: "EXPRESSION", source: "upper(status)", destination: "status" },
          { sourceType: "EXPRESSION", source: "to_integer(member_rating)", destination: "rating" },
          { sourceType: "EXPRESSION", source: "to_bool(vip)", destination: "vip" },
          { sourceType: "EXPRESSION", source: "to_datetime(timestamp_opt)", destination: "createdAt" },
          { sourceType: "ATTRIBUTE", source: "location.city", destination: "address.city" },
        ],
      },
      benchSchema,
    );
    const records = Array.from({ length: 1000 }, (_, i) => ({
      id: `m-${i}`,
      email_address: `User${i}@Example.com`,
      status: "subscribed",
      merge_fields: { FNAME: "Ann", LNAME: `Lee${i}` },
      member_rating: String(i % 5),
      vip: i % 2 === 0,
      timestamp_opt: "2024-03-01T10:00:00+00:00",
      location: { city: "Basel", country: "CH" },
    }));
    const measure = (count: number) => {
      const started = performance.now();
      let ok = 0;
      for (let i = 0; i < count; i++)
        if (mapping.apply(records[i % records.length] as Record<string, unknown>).ok) ok++;
      return { ok, seconds: (performance.now() - started) / 1000 };
    };
    measure(20_000); // warm up
    const count = 200_000;
    const { ok, seconds } = measure(count);
    const perSecond = Math.round(count / seconds);
    console.log(`mapping apply: ${count} records (10 fields) in ${seconds.toFixed(3)} s = ${perSecond} records/s`);
    expect(ok).toBe(count);
    expect(perSecond).toBeGreaterThan(100_000);
  });
});
