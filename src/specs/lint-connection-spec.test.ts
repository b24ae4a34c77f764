// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
import { describe, expect, it } from "vitest";
import { membersSpec } from "../../test/support/specs.ts";
import { canonicalConnectionSpec, lintConnectionSpec } from "./index.ts";
import { at, attributesOf, errorPointers, errors, members, warnings } from "./test-support.ts";

type Json = Record<string, unknown>;

function authSpecOf(spec: Json, index = 0): Json {
  return (spec.authSpec as Json[])[index] as Json;
}

describe("lintConnectionSpec: the realistic fixture", () => {
  it("passes test/support/specs.ts membersSpec() without a single problem", () => {
    expect(lintConnectionSpec(membersSpec())).toEqual({ valid: true, problems: [] });
  });
});

describe("lintConnectionSpec: every problem at once", () => {
  it("reports five distinct problems together, each with its JSON Pointer and an actionable sentence", () => {
    const spec = members({ name: undefined, attributes: { category: "notACategory" } });
    const attributes = attributesOf(spec);
    attributes.urlParams = { host: "https://${domain}.example.com", path: "/lists/${missingParam}", method: "GET" };
    attributes.paginationParams = { type: "OFFSET", limitValue: "100" };
    attributes.contentPath = { path: "$.members[?(alert(1))]" };
    ((authSpecOf(spec).spec as Json).type as unknown) = "objectx";

    const report = lintConnectionSpec(spec);
    expect(report.valid).toBe(false);
    expect(errorPointers(report)).toEqual(
      expect.arrayContaining([
        "/name",
        "/attributes/category",
        "/authSpec/0/spec/type",
        "/sourceSpec/attributes/urlParams/path",
        "/sourceSpec/attributes/contentPath/path",
        "/sourceSpec/attributes/paginationParams/limitName",
        "/sourceSpec/attributes/paginationParams/offSetName",
      ]),
    );
    expect(at(report, "/sourceSpec/attributes/urlParams/path")[0]?.message).toBe(
      'placeholder ${missingParam} is not declared: add "missingParam" to sourceSpec.spec.properties or to an authSpec\'s properties.',
    );
    expect(at(report, "/authSpec/0/spec/type")[0]?.message).toMatch(
      /"objectx" is not a JSON Schema type.*did you mean "object"/,
    );
    expect(at(report, "/attributes/category")[0]?.message).toMatch(/notACategory.*not a known category/);
    expect(at(report, "/name")[0]?.message).toMatch(/^is missing: add "name"/);
    for (const problem of report.problems) {
      expect(problem.message).toMatch(/[.?)]$/);
      expect(problem.pointer === "" || problem.pointer.startsWith("/")).toBe(true);
    }
  });
});

describe("lintConnectionSpec: hostile input never crashes", () => {
  it.each([
    ["null", null],
    ["an array", [1, 2]],
    ["a string", "spec"],
    ["a number", 42],
    ["a boolean", true],
    ["undefined", undefined],
  ])("answers %s with one root problem", (_label, value) => {
    const report = lintConnectionSpec(value);
    expect(report.valid).toBe(false);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ pointer: "", severity: "error" });
    expect(report.problems[0]?.message).toMatch(/must be a JSON object/);
  });

  it("reports a document nested 50 000 levels deep instead of recursing into it", () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 50_000; i++) deep = { a: deep };
    const spec = members();
    attributesOf(spec).bodyParams = deep;
    const report = lintConnectionSpec(spec);
    expect(report.valid).toBe(false);
    expect(errors(report)[0]?.message).toMatch(/nests deeper than 200 levels/);
  });

  it("reports deep nesting inside an embedded schema and inside bodyParams", () => {
    let schema: Json = { type: "string" };
    for (let i = 0; i < 40; i++) schema = { type: "object", properties: { a: schema } };
    const spec = members();
    (spec.sourceSpec as Json).spec = schema;
    let body: unknown = "${listId}";
    for (let i = 0; i < 40; i++) body = [body];
    attributesOf(spec).bodyParams = { filter: body };
    const report = lintConnectionSpec(spec);
    expect(errors(report).map((p) => p.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/deeper than 64 levels/),
        expect.stringMatching(/bodyParams nests deeper/),
      ]),
    );
  });

  it("handles huge strings and wrong types in every field", () => {
    const huge = "x".repeat(2_000_000);
    const report = lintConnectionSpec({
      name: huge,
      description: 7,
      type: [],
      providerId: huge,
      attributes: { category: huge },
      authSpec: [null, 5, "x", { name: huge, type: huge, spec: huge }, { name: {}, type: null, spec: [] }],
      sourceSpec: {
        attributes: {
          uiAttributes: "ui",
          urlParams: { host: huge, path: `/${"${".repeat(100_000)}`, method: 5, queryParams: 9 },
          headerParams: [1],
          bodyParams: 3,
          contentPath: { path: huge },
          explodeEntityPath: 12,
          paginationParams: { type: huge, limitValue: huge },
          scheduleParams: { type: 5, paramFormat: huge },
        },
        spec: "nope",
      },
      exploreSpec: [],
      targetSpec: 1,
      permissionsInfo: { view: "all" },
    });
    expect(report.valid).toBe(false);
    for (const problem of report.problems) expect(problem.message.length).toBeLessThan(1000);
  });

  it("stays fast on huge broken inputs and caps the list of problems", () => {
    const properties: Json = {};
    for (let i = 0; i < 50_000; i++) properties[`p${i}`] = { type: "strin" };
    const spec = members();
    (spec.sourceSpec as Json).spec = { type: "object", properties };
    let started = performance.now();
    const large = lintConnectionSpec(spec);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(at(large, "/sourceSpec/spec/properties/p0/type")[0]?.message).toMatch(/only its first problem is listed/);

    spec.authSpec = Array.from({ length: 20_000 }, () => ({ name: "same", type: "BasicAuthentication", spec: {} }));
    started = performance.now();
    const many = lintConnectionSpec(spec);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(many.problems).toHaveLength(501);
    expect(many.problems.at(-1)?.message).toMatch(/more problem\(s\) were found but not listed/);
  });

  it("reports a hostile JSONPath (script in a filter) as an error and never evaluates it", () => {
    const spec = members();
    attributesOf(spec).contentPath = { path: "$..[?(@.constructor.constructor('return process')())]" };
    (attributesOf(spec).paginationParams as Json) = {
      type: "POINTER",
      pointerPath: "$[?(@.x == require('child_process').execSync('id'))]",
    };
    const report = lintConnectionSpec(spec);
    expect(errorPointers(report)).toEqual(
      expect.arrayContaining([
        "/sourceSpec/attributes/contentPath/path",
        "/sourceSpec/attributes/paginationParams/pointerPath",
      ]),
    );
    expect(at(report, "/sourceSpec/attributes/contentPath/path")[0]?.message).toMatch(/not a valid JSONPath/);
  });

  it("treats __proto__ and constructor keys as plain data", () => {
    const spec = JSON.parse(
      JSON.stringify(members()).replace('"listId":', '"__proto__": {"polluted": true}, "listId":'),
    ) as Json;
    attributesOf(spec).urlParams = { path: "/x/${constructor}/${toString}", method: "GET" };
    const report = lintConnectionSpec(spec);
    const path = "/sourceSpec/attributes/urlParams/path";
    expect(errorPointers(report)).toEqual([path, path]);
    expect(errors(report).map((p) => p.message)).toEqual([
      expect.stringMatching(/\$\{constructor\} is not declared/),
      expect.stringMatching(/\$\{toString\} is not declared/),
    ]);
    expect(({} as Json).polluted).toBeUndefined();
  });
});

describe("lintConnectionSpec: placeholders", () => {
  function withPath(path: string, edit?: (spec: Json) => void) {
    const spec = members();
    (attributesOf(spec).urlParams as Json).path = path;
    edit?.(spec);
    return lintConnectionSpec(spec);
  }

  it("resolves ${name} from sourceSpec.spec.properties", () => {
    expect(withPath("/3.0/lists/${listId}/members").problems).toEqual([]);
  });

  it("resolves from an authSpec's properties, in both ${name} and {name} forms", () => {
    expect(withPath("/3.0/${domain}/{username}").problems).toEqual([]);
  });

  it("resolves host and the schedule system values", () => {
    const report = withPath("/x?s={START_TIME}&e=${END_TIME}&h=${host}&since=${since_last_changed}");
    expect(report.problems).toEqual([]);
  });

  it("resolves {SCHEDULE_QUERY} when scheduleParams has the ADVANCE form", () => {
    const report = withPath("/search", (spec) => {
      const attributes = attributesOf(spec);
      attributes.scheduleParams = {
        type: "ADVANCE",
        paramFormat: "yyyy-MM-ddTHH:mm:ssK",
        incremental: "type:user updated>{START_TIME} updated<{END_TIME}",
        backfill: "type:user updated<{END_TIME}",
      };
      (attributes.urlParams as Json).queryParams = { query: "{SCHEDULE_QUERY}" };
    });
    expect(report.problems).toEqual([]);
  });

  it("rejects {SCHEDULE_QUERY} without the ADVANCE form and {START_TIME} without scheduleParams", () => {
    const report = withPath("/x/{SCHEDULE_QUERY}");
    expect(at(report, "/sourceSpec/attributes/urlParams/path")[0]?.message).toMatch(/only set by the ADVANCE form/);
    const none = withPath("/x/{START_TIME}", (spec) => {
      delete attributesOf(spec).scheduleParams;
    });
    expect(errors(none)[0]?.message).toMatch(/only set when sourceSpec.attributes.scheduleParams is present/);
  });

  it("finds placeholders in queryParams objects, JSON-in-string and legacy comma strings, headers and bodies", () => {
    const spec = members();
    const attributes = attributesOf(spec);
    (attributes.urlParams as Json).queryParams = { fields: "${fieldList}", count: 10 };
    attributes.headerParams = "{'x-api-key':'${apiKey}'}";
    attributes.bodyParams = { filter: { ids: ["${idList}", "${listId}"] } };
    (attributes.urlParams as Json).host = "https://${domain}.example.com";
    const report = lintConnectionSpec(spec);
    expect(errorPointers(report)).toEqual([
      "/sourceSpec/attributes/urlParams/queryParams/fields",
      "/sourceSpec/attributes/headerParams",
      "/sourceSpec/attributes/bodyParams/filter/ids/0",
    ]);
    const legacy = members();
    (attributesOf(legacy).urlParams as Json).queryParams = "status=subscribed,since=${sinceDate}";
    expect(errorPointers(lintConnectionSpec(legacy))).toEqual(["/sourceSpec/attributes/urlParams/queryParams"]);
  });

  it("suggests a declared name differing only in case", () => {
    const report = withPath("/lists/${listid}");
    expect(errors(report)[0]?.message).toMatch(/did you mean "listId"/);
  });

  it("warns when only some authSpec entries declare a placeholder", () => {
    const spec = members();
    (spec.authSpec as Json[]).push({
      name: "API Key",
      type: "KeyBased",
      spec: {
        type: "object",
        properties: { authKey1: { type: "string", format: "password", restAttributes: { headerParamName: "X-Key" } } },
        required: ["authKey1"],
      },
    });
    const report = lintConnectionSpec(spec);
    expect(report.valid).toBe(true);
    expect(warnings(report)[0]).toMatchObject({ pointer: "/sourceSpec/attributes/urlParams/host" });
    expect(warnings(report)[0]?.message).toMatch(/not by "API Key"/);
  });

  it("rejects ADF @{…} expressions with a clear message", () => {
    const report = withPath(
      "/api/v2/search/export@{if(empty(coalesce(pipeline()?.parameters?.ingestionStart,'')),'?query=type:user','')}",
    );
    expect(report.valid).toBe(false);
    expect(errors(report)[0]?.message).toMatch(/Azure Data Factory expression @\{…\}, which Inlet does not evaluate/);
  });

  it("warns about {{name}} and malformed ${…}", () => {
    const report = withPath("/lists/${listId}/{{listId}}/${1bad}");
    expect(report.valid).toBe(true);
    expect(warnings(report).map((w) => w.message)).toEqual([
      expect.stringMatching(/\{\{name\}\}/),
      expect.stringMatching(/"\$\{1bad\}" is not a placeholder/),
    ]);
  });
});

describe("lintConnectionSpec: layouts of spec §4.1", () => {
  it("accepts the nested sourceSpec.attributes.spec and canonicalises it beside attributes", () => {
    const spec = members();
    const sourceSpec = spec.sourceSpec as Json;
    const inputs = sourceSpec.spec;
    delete sourceSpec.spec;
    (sourceSpec.attributes as Json).spec = inputs;
    expect(lintConnectionSpec(spec).problems).toEqual([]);

    const canonical = canonicalConnectionSpec(spec);
    expect((canonical.sourceSpec as Json).spec).toEqual(inputs);
    expect(((canonical.sourceSpec as Json).attributes as Json).spec).toBeUndefined();
    expect((sourceSpec.attributes as Json).spec).toBe(inputs); // the input is not mutated
    expect(lintConnectionSpec(canonical).problems).toEqual([]);
  });

  it("keeps sourceSpec.spec when both layouts are sent, and warns", () => {
    const spec = members();
    attributesOf(spec).spec = { type: "object", properties: {} };
    const report = lintConnectionSpec(spec);
    expect(report.valid).toBe(true);
    expect(warnings(report)[0]?.pointer).toBe("/sourceSpec/attributes/spec");
    const canonical = canonicalConnectionSpec(spec);
    expect((canonical.sourceSpec as Json).spec).toEqual((spec.sourceSpec as Json).spec);
    expect(((canonical.sourceSpec as Json).attributes as Json).spec).toBeUndefined();
  });

  it("returns anything that is not a spec unchanged, and keeps a string contentPath", () => {
    for (const value of [null, 1, "x", [], { sourceSpec: 3 }]) expect(canonicalConnectionSpec(value)).toBe(value);
    const spec = members();
    attributesOf(spec).contentPath = "$.members";
    expect(canonicalConnectionSpec(spec)).toBe(spec);
    expect(lintConnectionSpec(spec).problems).toEqual([]);
  });

  it("accepts the generic template: request settings declared as user inputs in sourceSpec.spec", () => {
    const template = {
      name: "generic-rest-extension",
      type: "generic-rest",
      providerId: "0ed90a81-07f4-4586-8190-b40eccef1c5a",
      version: "1.0",
      authSpec: [
        {
          name: "OAuth generic-rest-connector",
          type: "OAuth2RefreshCode",
          spec: {
            $schema: "http://json-schema.org/draft-07/schema#",
            type: "object",
            properties: {
              host: { type: "string", description: "Enter resource url host path" },
              accessToken: { type: "string", format: "password" },
            },
            required: ["host", "accessToken"],
          },
        },
      ],
      sourceSpec: {
        attributes: {
          uiAttributes: { isSource: true, category: { key: "protocols" }, label: { text: "Generic REST" } },
        },
        spec: {
          $schema: "http://json-schema.org/draft-07/schema#",
          type: "object",
          properties: {
            urlParams: {
              type: "object",
              properties: {
                host: { type: "string" },
                path: { type: "string" },
                method: { type: "string", enum: ["GET", "POST"] },
              },
              required: ["path", "method"],
            },
            headerParams: { type: "string" },
            contentPath: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
            paginationParams: { type: "object", properties: { type: { type: "string" } }, required: ["type"] },
            scheduleParams: { type: "object" },
          },
          required: ["urlParams", "contentPath", "paginationParams", "scheduleParams"],
        },
      },
      exploreSpec: {
        name: "Resource",
        type: "Resource",
        requestSpec: { $schema: "http://json-schema.org/draft-07/schema#", type: "object" },
        responseSpec: { $schema: "http: //json-schema.org/draft-07/schema#", type: "object" },
      },
    };
    const report = lintConnectionSpec(template);
    expect(report.valid).toBe(true);
    // Only Adobe's boilerplate typo is mentioned.
    expect(report.problems.map((p) => p.pointer)).toEqual(["/exploreSpec/responseSpec/$schema"]);
  });

  it("asks for urlParams and contentPath when neither layout provides them", () => {
    const spec = members();
    delete attributesOf(spec).urlParams;
    delete attributesOf(spec).contentPath;
    const report = lintConnectionSpec(spec);
    expect(errorPointers(report)).toEqual(["/sourceSpec/attributes/urlParams", "/sourceSpec/attributes/contentPath"]);
    expect(errors(report)[0]?.message).toMatch(/or declare urlParams in sourceSpec.spec.properties/);
  });

  it("accepts a streaming spec without auth entries or request settings", () => {
    const report = lintConnectionSpec({
      name: "Streaming",
      type: "generic-streaming",
      providerId: "521eee4d-8cbe-4906-bb48-fb6bd4450033",
      version: "1.0",
      authSpec: [],
      sourceSpec: {
        attributes: { uiAttributes: { category: { key: "streaming" } }, authRequired: false },
        spec: { type: "object", properties: {} },
      },
      exploreSpec: { type: "StreamingConnection" },
    });
    expect(report).toEqual({ valid: true, problems: [] });
  });
});

describe("lintConnectionSpec: forward compatibility", () => {
  it("keeps unknown fields and reports them as warnings, with a spelling hint", () => {
    const spec = members({ futureField: 1, exploreSpecs: {} });
    attributesOf(spec).paginationParam = {};
    const report = lintConnectionSpec(spec);
    expect(report.valid).toBe(true);
    expect(warnings(report).map((w) => w.pointer)).toEqual([
      "/futureField",
      "/exploreSpecs",
      "/sourceSpec/attributes/paginationParam",
    ]);
    expect(at(report, "/sourceSpec/attributes/paginationParam")[0]?.message).toMatch(/did you mean "paginationParams"/);
  });

  it("accepts the server's own fields in a body copied from a GET", () => {
    const spec = members({
      id: "2e8580db-6489-4726-96de-e33f5f60295f",
      createdAt: 1,
      updatedAt: 2,
      etag: '"x"',
      imsOrgId: "o@AdobeOrg",
      sandboxName: "prod",
    });
    expect(lintConnectionSpec(spec).problems).toEqual([]);
    expect(errorPointers(lintConnectionSpec(members({ id: "not-a-uuid" })))).toEqual(["/id"]);
  });
});

describe("lintConnectionSpec: categories", () => {
  it.each(["marketingAutomation", "Marketing Automation", "marketing-automation", "MARKETING_AUTOMATION"])(
    "accepts the category variant %s in uiAttributes and attributes",
    (category) => {
      const spec = members({ attributes: { category } });
      ((attributesOf(spec).uiAttributes as Json).category as Json).key = category;
      expect(lintConnectionSpec(spec).problems).toEqual([]);
    },
  );

  it("rejects an unknown category with the nearest key", () => {
    const spec = members();
    ((attributesOf(spec).uiAttributes as Json).category as Json).key = "marketingAutomaton";
    const report = lintConnectionSpec(spec);
    expect(at(report, "/sourceSpec/attributes/uiAttributes/category/key")[0]?.message).toMatch(
      /use "marketingAutomation" if that is what you meant/,
    );
  });
});

describe("lintConnectionSpec: authSpec", () => {
  function authReport(entry: Json, edit?: (spec: Json) => void) {
    const spec = members();
    spec.authSpec = [entry];
    (attributesOf(spec).urlParams as Json).host = "https://api.example.com";
    edit?.(spec);
    return lintConnectionSpec(spec);
  }

  it("requires at least one entry for a generic-rest spec", () => {
    expect(errorPointers(authReport({}, (spec) => (spec.authSpec = [])))).toEqual(["/authSpec"]);
    expect(errorPointers(authReport({}, (spec) => delete spec.authSpec))).toContain("/authSpec");
  });

  it("requires unique names", () => {
    const entry = { name: "Basic", type: "BasicAuthentication", spec: membersSpec().authSpec };
    const basic = (membersSpec().authSpec as Json[])[0] as Json;
    const report = authReport(entry, (spec) => {
      spec.authSpec = [basic, { ...basic }];
    });
    expect(errorPointers(report)).toEqual(["/authSpec/1/name"]);
    expect(errors(report)[0]?.message).toMatch(/duplicates the name of \/authSpec\/0/);
  });

  it("checks OAuth2RefreshCode: accessToken required, refresh settings paired, secrets masked", () => {
    const report = authReport({
      name: "OAuth2 Refresh Code",
      type: "OAuth2RefreshCode",
      spec: {
        type: "object",
        properties: { refreshToken: { type: "string", format: "password" }, clientSecret: { type: "string" } },
      },
    });
    expect(errorPointers(report)).toEqual(["/authSpec/0/spec/properties/accessToken"]);
    expect(warnings(report).map((w) => w.pointer)).toEqual([
      "/authSpec/0/spec/properties/accessTokenUrl",
      "/authSpec/0/spec/properties/clientSecret/format",
    ]);
    const good = authReport({
      name: "OAuth2 Refresh Code",
      type: "OAuth2RefreshCode",
      spec: {
        type: "object",
        properties: {
          accessToken: { type: "string", format: "password" },
          refreshToken: { type: "string", format: "password" },
          accessTokenUrl: { type: "string" },
        },
        required: ["accessToken"],
      },
    });
    expect(good.problems).toEqual([]);
  });

  it("checks KeyBased: authKey1 required, restAttributes keys known", () => {
    const report = authReport({
      name: "API Key Authentication",
      type: "KeyBased",
      spec: {
        type: "object",
        properties: {
          authKey2: { type: "string", format: "password", restAttributes: { bodyParamName: "k" } },
          authKey3: { type: "string", format: "password", restAttributes: { headerParamName: "bad header" } },
        },
      },
    });
    expect(errorPointers(report)).toEqual([
      "/authSpec/0/spec/properties/authKey1",
      "/authSpec/0/spec/properties/authKey3/restAttributes/headerParamName",
    ]);
    expect(warnings(report).map((w) => w.pointer)).toEqual([
      "/authSpec/0/spec/properties/authKey2/restAttributes/bodyParamName",
    ]);
    const good = authReport({
      name: "API Key Authentication",
      type: "KeyBased",
      spec: {
        type: "object",
        properties: {
          host: { type: "string" },
          authKey1: { type: "string", format: "password", restAttributes: { queryParamName: "api_key" } },
        },
        required: ["authKey1"],
      },
    });
    expect(good.problems).toEqual([]);
  });

  it("warns about auth types the engine cannot use and about non-canonical spellings", () => {
    const other = authReport({ name: "HMAC", type: "HmacSignature", spec: { type: "object", properties: {} } });
    expect(other.valid).toBe(true);
    expect(warnings(other)[0]).toMatchObject({ pointer: "/authSpec/0/type" });
    const spelled = authReport({
      name: "Basic",
      type: "basic-authentication",
      spec: {
        type: "object",
        properties: { username: {}, password: { format: "password" } },
        required: ["username", "password"],
      },
    });
    expect(warnings(spelled)[0]?.message).toMatch(/read as "BasicAuthentication"/);
  });

  it("reports an embedded spec that is not a valid draft-07 schema at the broken keyword", () => {
    const report = authReport({
      name: "Basic",
      type: "BasicAuthentication",
      spec: {
        type: "object",
        properties: { username: { type: "strin" }, password: { format: "password" } },
        required: "username",
      },
    });
    expect(errorPointers(report)).toEqual(
      expect.arrayContaining(["/authSpec/0/spec/properties/username/type", "/authSpec/0/spec/required"]),
    );
  });
});

describe("lintConnectionSpec: schedule formats (spec §4.7)", () => {
  function scheduleReport(scheduleParams: Json, queryParams?: Json) {
    const spec = members();
    attributesOf(spec).scheduleParams = scheduleParams;
    if (queryParams) (attributesOf(spec).urlParams as Json).queryParams = queryParams;
    return lintConnectionSpec(spec);
  }
  const standard = { scheduleStartParamName: "since", scheduleEndParamName: "before" };

  it.each(["yyyy-MM-ddTHH:mm:ss:fffffffK", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-dd'T'HH:mm:ss.fffK", "yyyyMMdd"])(
    "accepts the .NET format %s",
    (format) => {
      const report = scheduleReport({ ...standard, scheduleStartParamFormat: format, scheduleEndParamFormat: format });
      expect(report.problems).toEqual([]);
    },
  );

  it.each([
    ["'no fields'", /no date or time field/],
    ["yyyy-MM-dd 'T", /never closed/],
    ["yyyy-MM-dd\\", /ends with a backslash/],
    ["ss.ffffffff", /at most 7/],
  ])("rejects the format %s", (format, message) => {
    const report = scheduleReport({ ...standard, scheduleStartParamFormat: format });
    expect(at(report, "/sourceSpec/attributes/scheduleParams/scheduleStartParamFormat")[0]?.message).toMatch(message);
  });

  it("warns about YYYY-MM-DD, which .NET prints literally", () => {
    const report = scheduleReport({ ...standard, scheduleStartParamFormat: "YYYY-MM-DD" });
    expect(report.valid).toBe(true);
    expect(warnings(report)[0]?.message).toMatch(/literal letters/);
  });

  it("requires both names of the standard form, and different ones", () => {
    expect(errorPointers(scheduleReport({}))).toEqual([
      "/sourceSpec/attributes/scheduleParams/scheduleStartParamName",
      "/sourceSpec/attributes/scheduleParams/scheduleEndParamName",
    ]);
    expect(errorPointers(scheduleReport({ scheduleStartParamName: "t", scheduleEndParamName: "t" }))).toEqual([
      "/sourceSpec/attributes/scheduleParams/scheduleEndParamName",
    ]);
  });

  it("checks the ADVANCE form: paramFormat, both expressions, and {SCHEDULE_QUERY} in use", () => {
    const report = scheduleReport({ type: "ADVANCE", incremental: "updated < {END_TIME}" });
    expect(errorPointers(report)).toEqual([
      "/sourceSpec/attributes/scheduleParams/paramFormat",
      "/sourceSpec/attributes/scheduleParams/incremental",
      "/sourceSpec/attributes/scheduleParams/backfill",
    ]);
    expect(at(report, "/sourceSpec/attributes/scheduleParams")[0]?.message).toMatch(/no urlParams, queryParams/);
    const good = scheduleReport(
      {
        type: "ADVANCE",
        paramFormat: "yyyy-MM-ddTHH:mm:ssK",
        incremental: "u>{START_TIME} u<{END_TIME}",
        backfill: "u<{END_TIME}",
      },
      { query: "{SCHEDULE_QUERY}" },
    );
    expect(good.problems).toEqual([]);
    expect(errorPointers(scheduleReport({ type: "WEEKLY" }))).toEqual(["/sourceSpec/attributes/scheduleParams/type"]);
  });
});

describe("lintConnectionSpec: targets", () => {
  it("recognises a target spec by its targetSpec and checks its schema", () => {
    const report = lintConnectionSpec({
      name: "Lake",
      type: "target",
      targetSpec: { spec: { type: "object", required: 5 } },
    });
    expect(errorPointers(report)).toEqual(["/targetSpec/spec/required"]);
  });
});
