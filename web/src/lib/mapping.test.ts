import { describe, expect, it } from "vitest";
import { inferSchema, leaves } from "./fields.ts";
import {
  autoMap,
  datasetSchema,
  destinationsOf,
  expressionProblem,
  fieldName,
  fieldProblems,
  isPath,
  mappingSetBody,
  type ProposedField,
  proposeFields,
  rowProblems,
  rowsForProposal,
  serverRowProblems,
  sourcePaths,
  syncRows,
} from "./mapping.ts";

/** What explore infers for a MailChimp member record (contentPath wrapper `member`). */
const memberSchema = {
  type: "object",
  properties: {
    member: {
      type: "object",
      properties: {
        id: { type: "string" },
        email_address: { type: "string" },
        status: { type: "string" },
        merge_fields: { type: "object", properties: { FNAME: { type: "string" }, LNAME: { type: "string" } } },
        stats: {
          type: "object",
          properties: { avg_open_rate: { type: "number" }, id: { type: "integer", minimum: -9007199254740992 } },
        },
        timestamp_opt: { type: "string", format: "date-time" },
        tags: { type: "array", items: { type: "string" } },
        vip: { type: ["boolean", "null"] },
        "odd name": { type: "string" },
        notes: { type: "null" },
        location: { type: "object" },
      },
    },
  },
};

describe("the dataset proposed from the preview", () => {
  const fields = proposeFields(memberSchema);

  it("makes one top-level field per leaf, named after it, typed from the schema", () => {
    expect(fields.map((f) => [f.name, f.type, f.source])).toEqual([
      ["id", "string", "member.id"],
      ["email_address", "string", "member.email_address"],
      ["status", "string", "member.status"],
      ["FNAME", "string", "member.merge_fields.FNAME"],
      ["LNAME", "string", "member.merge_fields.LNAME"],
      ["avg_open_rate", "number", "member.stats.avg_open_rate"],
      ["stats_id", "integer", "member.stats.id"],
      ["timestamp_opt", "date-time", "member.timestamp_opt"],
      ["tags", "array", "member.tags"],
      ["vip", "boolean", "member.vip"],
      ["notes", "string", "member.notes"],
      ["location", "json", "member.location"],
    ]);
    // "odd name" cannot be written as a mapping path, so it is not proposed
    expect(fields.some((f) => f.source.includes("odd"))).toBe(false);
  });

  it("keeps names unique ignoring case, as dataset columns are", () => {
    const clash = proposeFields({
      type: "object",
      properties: {
        a: { type: "object", properties: { Id: { type: "string" } } },
        b: { type: "object", properties: { id: { type: "string" } } },
        id: { type: "integer" },
      },
    });
    expect(clash.map((f) => f.name)).toEqual(["Id", "b_id", "id_2"]);
    expect(fieldProblems(clash)).toEqual([]);
  });

  it("writes a draft-07 row schema the Catalog accepts", () => {
    expect(
      datasetSchema(fields.filter((f) => ["id", "timestamp_opt", "tags", "location", "stats_id"].includes(f.name))),
    ).toEqual({
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: {
        id: { type: "string" },
        stats_id: { type: "integer" },
        timestamp_opt: { type: "string", format: "date-time" },
        tags: { type: "array", items: { type: "string" } },
        location: {},
      },
    });
  });

  it("finds what the Catalog would refuse", () => {
    const edited: ProposedField[] = [
      { include: true, name: "Email", type: "string", source: "a" },
      { include: true, name: "email", type: "string", source: "b" },
      { include: true, name: "first name", type: "string", source: "c" },
      { include: true, name: "", type: "string", source: "d" },
      { include: false, name: "email", type: "string", source: "e" },
    ];
    expect(fieldProblems(edited).map((p) => p.index)).toEqual([1, 2, 3]);
    expect(fieldProblems(edited.map((f) => ({ ...f, include: false })))).toEqual([
      { index: -1, message: "Include at least one field." },
    ]);
    expect(fieldName("first name (given)")).toBe("first_name_given");
  });

  it("maps each proposed field from the source it came from", () => {
    expect(rowsForProposal(fields.slice(0, 2))).toEqual([
      { sourceType: "ATTRIBUTE", source: "member.id", destination: "id" },
      { sourceType: "ATTRIBUTE", source: "member.email_address", destination: "email_address" },
    ]);
  });
});

describe("auto-mapping by name", () => {
  const sources = sourcePaths(memberSchema);

  it("prefers the same path, then the same path in another case, then the same last name", () => {
    const rows = autoMap(sources, [
      "member.status",
      "MEMBER.EMAIL_ADDRESS",
      "fname",
      "Last-Name",
      "avgOpenRate",
      "id",
      "unknown",
    ]);
    expect(rows).toEqual([
      { sourceType: "ATTRIBUTE", source: "member.status", destination: "member.status" },
      { sourceType: "ATTRIBUTE", source: "member.email_address", destination: "MEMBER.EMAIL_ADDRESS" },
      { sourceType: "ATTRIBUTE", source: "member.merge_fields.FNAME", destination: "fname" },
      { sourceType: "ATTRIBUTE", source: "member.stats.avg_open_rate", destination: "avgOpenRate" },
      // two sources end in "id": the shorter path wins
      { sourceType: "ATTRIBUTE", source: "member.id", destination: "id" },
    ]);
  });

  it("maps the fields of an existing dataset, nested ones by their last name", () => {
    const dataset = {
      type: "object",
      properties: {
        person: { type: "object", properties: { email_address: { type: "string" } } },
        status: { type: "string" },
      },
    };
    const destinations = destinationsOf(dataset).map((d) => d.path);
    expect(destinations).toEqual(["person.email_address", "status"]);
    expect(autoMap(sources, destinations).map((r) => `${r.source}→${r.destination}`)).toEqual([
      "member.email_address→person.email_address",
      "member.status→status",
    ]);
  });

  it("keeps the person's rows and adds the missing ones when the fields change", () => {
    const rows = [
      { sourceType: "EXPRESSION" as const, source: "lower(member.email_address)", destination: "email_address" },
      { sourceType: "ATTRIBUTE" as const, source: "member.id", destination: "gone" },
    ];
    expect(syncRows(rows, sources, ["email_address", "status"])).toEqual([
      rows[0],
      { sourceType: "ATTRIBUTE", source: "member.status", destination: "status" },
    ]);
  });
});

describe("mapping rows", () => {
  const destinations = ["id", "email", "person", "person.city"];

  it("accepts paths and expressions that the Data Prep grammar accepts", () => {
    for (const path of [
      "a",
      "member.email_address",
      "results[0].id",
      "a.b[2][0].c",
      "_tenant",
      "@id",
      "xdm:foo",
      "first-name",
    ]) {
      expect(isPath(path), path).toBe(true);
    }
    for (const path of ["", "a..b", ".a", "a[x]", "a b", 'a["b"]', "a[01]", "lower(a)"])
      expect(isPath(path), path).toBe(false);
    expect(expressionProblem('concat(trim(a.first), " ", upper(a.last))')).toBeUndefined();
    expect(expressionProblem("to_datetime(a.created, 's')")).toBeUndefined();
    expect(expressionProblem("now()")).toBeUndefined();
    expect(expressionProblem("lowercase(a)")).toMatch(/Unknown function lowercase/);
    expect(expressionProblem("lower(a")).toMatch(/not closed/);
    expect(expressionProblem("lower(a))")).toMatch(/closes nothing/);
    expect(expressionProblem('concat(a, "x)')).toMatch(/not closed with "/);
    expect(expressionProblem("(a)")).toMatch(/does not follow a function name/);
  });

  it("finds every problem of the rows, at its row and field", () => {
    const problems = rowProblems(
      [
        { sourceType: "ATTRIBUTE", source: "member.id", destination: "id" },
        { sourceType: "ATTRIBUTE", source: "bad path", destination: "email" },
        { sourceType: "EXPRESSION", source: "upper(x", destination: "id" },
        { sourceType: "ATTRIBUTE", source: "a", destination: "" },
        { sourceType: "ATTRIBUTE", source: "a", destination: "nowhere" },
        { sourceType: "ATTRIBUTE", source: "p", destination: "person" },
        { sourceType: "ATTRIBUTE", source: "c", destination: "person.city" },
      ],
      destinations,
    );
    expect(problems.map((p) => [p.row, p.field])).toEqual([
      [1, "source"],
      [2, "source"],
      [2, "destination"],
      [3, "destination"],
      [4, "destination"],
      [6, "destination"],
    ]);
    expect(problems.find((p) => p.row === 2 && p.field === "destination")?.message).toMatch(/Row 1 writes id/);
    expect(problems.find((p) => p.row === 6)?.message).toMatch(/Overlaps row 6 \(person\)/);
    expect(rowProblems([], destinations)).toEqual([{ row: -1, field: "row", message: "Add at least one mapping." }]);
  });

  it("builds the mapping set body, and puts the server's problems back on their rows", () => {
    expect(
      mappingSetBody(
        [{ sourceType: "EXPRESSION", source: " lower(a) ", destination: "email" }],
        "6155e3a9bd13651949515f14",
      ),
    ).toEqual({
      dataSetId: "6155e3a9bd13651949515f14",
      mappings: [{ sourceType: "EXPRESSION", source: "lower(a)", destination: "email" }],
    });
    expect(
      serverRowProblems([
        { pointer: "/mappings/3/source", message: "unknown function" },
        { pointer: "/mappings/0/destination", message: "not in the schema" },
        { pointer: "/xdmSchema", message: "names nothing" },
      ]),
    ).toEqual([
      { row: 3, field: "source", message: "unknown function" },
      { row: 0, field: "destination", message: "not in the schema" },
      { row: -1, field: "row", message: "names nothing" },
    ]);
  });
});

describe("preview columns", () => {
  it("infers a schema from records when explore gave none, and walks it into leaves", () => {
    const schema = inferSchema([
      { a: { b: 1 }, c: null },
      { a: { b: 1.5, d: "x" }, c: "y", e: [1] },
    ]);
    expect(leaves(schema).map((l) => [l.label, l.type])).toEqual([
      ["a.b", "number"],
      ["a.d", "string"],
      ["c", "string"],
      ["e", "array"],
    ]);
  });
});
