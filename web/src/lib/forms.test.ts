import { readFileSync } from "node:fs";
import type { RJSFSchema } from "@rjsf/utils";
import ajv8 from "@rjsf/validator-ajv8";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { FormValidator } from "./form-validator.ts";
import { authOptions, cleanFormData, formSchema, secretFieldNames, sourceParamsSchema, uiSchemaFor } from "./forms.ts";
import { type Schema, validateSchema } from "./json-schema.ts";

type Json = Record<string, unknown>;

const example = (name: string) =>
  JSON.parse(
    readFileSync(
      new URL(`../../../examples/Sources/${name}/Artifacts/${name}-connectionSpec.json`, import.meta.url),
      "utf8",
    ),
  ) as Json;

const oauth = {
  type: "object",
  properties: {
    host: { type: "string" },
    clientId: { type: "string" },
    clientSecret: { type: "string", format: "password" },
    accessToken: { type: "string", format: "password" },
    refreshToken: { type: "string" },
    expirationDate: { type: "string", format: "date", uiAttributes: { hidden: true } },
    requestParameterOverride: {
      type: "object",
      properties: { clientSecret: { type: "string" }, authenticationMethod: { type: "string", enum: ["GET", "POST"] } },
    },
    authorizationTestUrl: { type: "string" },
  },
  required: ["accessToken", "host"],
};

describe("forms from connection spec schemas", () => {
  it("makes secrets password fields, hides uiAttributes.hidden fields, walks nested objects", () => {
    const ui = uiSchemaFor(oauth);
    expect(ui["ui:submitButtonOptions"]).toEqual({ norender: true });
    expect(ui.clientSecret).toMatchObject({ "ui:widget": "password" });
    expect(ui.accessToken).toMatchObject({ "ui:widget": "password" });
    // no format, but the engine treats refreshToken as a secret: so does the form
    expect(ui.refreshToken).toMatchObject({ "ui:widget": "password" });
    expect(ui.expirationDate).toEqual({ "ui:widget": "hidden" });
    expect(ui.host).toBeUndefined();
    expect(ui.clientId).toBeUndefined();
    expect(ui.authorizationTestUrl).toEqual({ "ui:inputType": "url" });
    expect(ui.requestParameterOverride).toEqual({
      clientSecret: { "ui:widget": "password", "ui:autocomplete": "new-password" },
    });
    expect(secretFieldNames(oauth)).toEqual([
      "clientSecret",
      "accessToken",
      "refreshToken",
      "requestParameterOverride.clientSecret",
    ]);
  });

  it("turns a required but undeclared property into a text field and drops $schema", () => {
    const schema = formSchema({
      $schema: "http://json-schema.org/draft-07/schema#",
      properties: { a: { type: "string" } },
      required: ["a", "host"],
    });
    expect(schema).toEqual({
      type: "object",
      properties: { a: { type: "string" }, host: { type: "string", title: "host" } },
      required: ["a", "host"],
    });
  });

  it("cleans form data: no empty strings, nulls or empty objects, at any depth", () => {
    expect(
      cleanFormData({
        host: "h",
        clientId: "",
        n: 0,
        flag: false,
        nested: { a: "", b: undefined },
        deep: { x: { y: "1", z: null } },
      }),
    ).toEqual({ host: "h", n: 0, flag: false, deep: { x: { y: "1" } } });
  });

  it("reads the auth options and source params of the examples", () => {
    const members = example("mailchimp-members");
    expect(authOptions(members).map((o) => o.name)).toEqual(["Basic Authentication", "API Key Authentication"]);
    expect(Object.keys((sourceParamsSchema(members) as { properties: Json }).properties)).toEqual(["listId"]);
    expect(sourceParamsSchema({ sourceSpec: { attributes: { spec: { properties: { x: {} } } } } })).toEqual({
      properties: { x: {} },
    });
    expect(authOptions({})).toEqual([]);
  });
});

describe("the eval-free form validator", () => {
  const validator = new FormValidator();

  it("places errors at their fields exactly as @rjsf/validator-ajv8 does", () => {
    const schema = formSchema(oauth);
    const inputs = [
      { host: "https://x", authorizationTestUrl: "u" },
      {},
      {
        host: "h",
        accessToken: "t",
        expirationDate: "2023-02-29",
        requestParameterOverride: { authenticationMethod: "PUT" },
      },
    ];
    for (const data of inputs) {
      const ours = validator.validateFormData(data, schema);
      const theirs = ajv8.validateFormData(data, schema);
      expect(ours.errorSchema, JSON.stringify(data)).toEqual(theirs.errorSchema);
      expect(ours.errors.map((e) => [e.property, e.message])).toEqual(
        theirs.errors.map((e) => [e.property, e.message]),
      );
    }
    const result = validator.validateFormData({ host: "https://x" }, schema);
    expect(result.errorSchema).toEqual({ accessToken: { __errors: ["must have required property 'accessToken'"] } });
  });

  it("validates nested values, enums and formats", () => {
    const schema = formSchema(oauth);
    const result = validator.validateFormData(
      {
        host: "h",
        accessToken: "t",
        expirationDate: "2023-02-29",
        requestParameterOverride: { authenticationMethod: "PUT" },
      },
      schema,
    );
    expect(result.errorSchema).toEqual({
      expirationDate: { __errors: ['must match format "date"'] },
      requestParameterOverride: { authenticationMethod: { __errors: ["must be equal to one of the allowed values"] } },
    });
  });

  it("picks oneOf options and resolves $ref like rjsf expects", () => {
    const root: RJSFSchema = {
      definitions: { port: { type: "integer", minimum: 1 } },
      type: "object",
      properties: { p: { $ref: "#/definitions/port" } },
    };
    expect(validator.isValid({ $ref: "#/definitions/port" }, 8080 as never, root)).toBe(true);
    expect(validator.isValid({ $ref: "#/definitions/port" }, 0 as never, root)).toBe(false);
    expect(validator.isValid({ $id: "_$junk_option_schema_id$_" } as never, 1 as never, root)).toBe(false);
  });

  it("agrees with Ajv on every verdict of a set of schemas and values", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const cases: Array<[Schema, unknown[]]> = [
      [{ type: "string", minLength: 2, maxLength: 4, pattern: "^a" }, ["ab", "a", "abcde", "ba", 3, "aé"]],
      [{ type: ["string", "null"] }, ["x", null, 1]],
      [{ type: "integer", minimum: 0, exclusiveMaximum: 10, multipleOf: 2 }, [0, 4, 10, 3, 2.5, -2, "4"]],
      [{ type: "number", exclusiveMinimum: 0 }, [0, 0.1, -1]],
      [{ enum: ["GET", "POST", 1, { a: [1] }] }, ["GET", "get", 1, { a: [1] }, { a: [2] }]],
      [{ const: { a: 1 } }, [{ a: 1 }, { a: 1, b: 2 }]],
      [
        { type: "object", required: ["a"], properties: { a: { type: "string" } }, additionalProperties: false },
        [{ a: "x" }, {}, { a: "x", b: 1 }, { a: 1 }, []],
      ],
      [{ type: "object", additionalProperties: { type: "number" } }, [{ a: 1 }, { a: "x" }]],
      [{ type: "object", patternProperties: { "^x-": { type: "string" } } }, [{ "x-a": "1" }, { "x-a": 1 }, { y: 1 }]],
      [
        { type: "array", items: { type: "string" }, minItems: 1, maxItems: 2, uniqueItems: true },
        [["a"], [], ["a", "a"], ["a", "b", "c"], [1]],
      ],
      [
        { type: "array", items: [{ type: "string" }, { type: "number" }], additionalItems: false },
        [
          ["a", 1],
          ["a", 1, 2],
          [1, "a"],
        ],
      ],
      [
        { type: "array", contains: { const: 3 } },
        [
          [1, 3],
          [1, 2],
        ],
      ],
      [{ anyOf: [{ type: "string" }, { type: "number", minimum: 5 }] }, ["x", 6, 4, null]],
      [{ oneOf: [{ type: "integer" }, { type: "number" }] }, [1, 1.5, "x"]],
      [{ not: { type: "string" } }, [1, "x"]],
      [{ allOf: [{ minimum: 1 }, { maximum: 3 }] }, [2, 0, 4]],
      [
        {
          type: "object",
          properties: { frequency: { enum: ["once", "minute", "hour"] }, interval: { type: "integer" } },
          required: ["frequency"],
          if: { properties: { frequency: { const: "once" } } },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else
          then: { not: { required: ["interval"] } },
          else: {
            required: ["interval"],
            if: { properties: { frequency: { const: "minute" } } },
            // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else
            then: { properties: { interval: { minimum: 15 } } },
            else: { properties: { interval: { minimum: 1 } } },
          },
        },
        [
          { frequency: "once" },
          { frequency: "once", interval: 1 },
          { frequency: "minute", interval: 5 },
          { frequency: "minute", interval: 15 },
          { frequency: "hour" },
          { frequency: "hour", interval: 1 },
        ],
      ],
      [{ type: "object", dependencies: { a: ["b"] } }, [{ a: 1, b: 2 }, { a: 1 }, { b: 1 }]],
      [{ type: "object", propertyNames: { pattern: "^[a-z]+$" } }, [{ ab: 1 }, { A: 1 }]],
      [{ type: "object", minProperties: 1, maxProperties: 1 }, [{}, { a: 1 }, { a: 1, b: 2 }]],
      [
        { type: "string", format: "date-time" },
        ["2024-03-01T10:00:00Z", "2024-03-01T10:00:00+02:00", "2024-03-01", "2024-13-01T10:00:00Z"],
      ],
      [{ type: "string", format: "email" }, ["a@b.co", "a@b", "nope"]],
      [{ type: "string", format: "uri" }, ["https://x.y/z?q=1", "not a uri"]],
      [{ type: "string", format: "password" }, ["anything"]],
      [true, [1]],
      [false, [1]],
    ];
    for (const [schema, values] of cases) {
      const check = ajv.compile(schema as object);
      for (const value of values) {
        const ours = validateSchema(schema, value).length === 0;
        expect(ours, `${JSON.stringify(schema)} with ${JSON.stringify(value)}`).toBe(check(value));
      }
    }
  });

  it("reports errors in Ajv's shape", () => {
    const errors = validateSchema(
      { type: "object", required: ["a"], properties: { b: { type: "integer", maximum: 3 } } },
      { b: 5 },
    );
    expect(errors).toEqual([
      expect.objectContaining({
        instancePath: "",
        keyword: "required",
        params: { missingProperty: "a" },
        schemaPath: "#/required",
      }),
      expect.objectContaining({
        instancePath: "/b",
        keyword: "maximum",
        message: "must be <= 3",
        schemaPath: "#/properties/b/maximum",
      }),
    ]);
  });

  it("validates every example spec's auth and params forms without throwing", () => {
    for (const name of [
      "mailchimp-members",
      "mailchimp-campaign",
      "salesforce-contacts",
      "storefront-orders",
      "zendesk",
    ]) {
      const spec = example(name);
      for (const option of authOptions(spec)) {
        const result = validator.validateFormData({}, formSchema(option.schema));
        expect(result.errors.length, `${name} ${option.name}`).toBeGreaterThan(0); // required fields are empty
      }
      expect(() => validator.validateFormData({}, formSchema(sourceParamsSchema(spec)))).not.toThrow();
    }
  });
});
