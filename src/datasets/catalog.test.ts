import { describe, expect, it } from "vitest";
import type { FlowError } from "../errors.ts";
import {
  batchDocument,
  batchIdPattern,
  datasetIdPattern,
  lintDatasetSchema,
  newBatchId,
  newDatasetId,
  prepareDataset,
  schemaContentType,
  tenantOf,
} from "./catalog.ts";

const rowSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: {
    id: { type: "string" },
    age: { type: ["integer", "null"] },
    address: { type: "object", properties: { city: { type: "string" } } },
    tags: { type: "array", items: { type: "string" } },
    anything: {},
  },
  required: ["id"],
};

const pointers = (schema: unknown) => lintDatasetSchema(schema).map((p) => p.pointer);

describe("ids", () => {
  it("makes ULID batch ids: 26 Crockford base32 characters, time first", () => {
    const id = newBatchId();
    expect(id).toMatch(batchIdPattern);
    // The spec's example decodes; known vector: time 0 and all-zero randomness.
    expect(newBatchId(0, new Uint8Array(10))).toBe("00000000000000000000000000");
    expect(newBatchId(2 ** 48 - 1, new Uint8Array(10).fill(255))).toBe("7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
    expect(newBatchId(1_469_918_176_385, new Uint8Array(10))).toBe("01ARYZ6S410000000000000000");
    const earlier = newBatchId(1_700_000_000_000);
    const later = newBatchId(1_700_000_000_001);
    expect(earlier < later).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => newBatchId(5))).size).toBe(1000);
    expect(() => newBatchId(-1)).toThrow(RangeError);
  });

  it("makes 24-hex dataset ids, time-prefixed like Catalog's", () => {
    const id = newDatasetId(Date.parse("2021-09-30T12:00:00Z"));
    expect(id).toMatch(datasetIdPattern);
    expect(id.slice(0, 8)).toBe((Date.parse("2021-09-30T12:00:00Z") / 1000).toString(16));
  });

  it("derives the tenant of schema ids from the org id", () => {
    expect(tenantOf("TESTORG@AdobeOrg")).toBe("testorg");
    expect(tenantOf("53A1B2C3D4E5F6@AdobeOrg")).toBe("53a1b2c3d4e5f6");
    expect(tenantOf("@@")).toBe("tenant");
  });
});

describe("dataset schemas", () => {
  it("accepts a draft-07 object schema the sink can type", () => {
    expect(lintDatasetSchema(rowSchema)).toEqual([]);
    expect(lintDatasetSchema({ type: "object", properties: { "a.b": { type: "string" }, "first name": {} } })).toEqual(
      [],
    );
  });

  it("refuses schemas that are not one row's object schema", () => {
    expect(pointers("x")).toEqual(["/schema"]);
    expect(pointers({ type: "array", items: {} })).toEqual(["/schema/type", "/schema/properties"]);
    expect(pointers({ type: "object" })).toEqual(["/schema/properties"]);
    expect(pointers({ type: "object", properties: {} })).toEqual(["/schema/properties"]);
    expect(pointers({ ...rowSchema, $schema: "https://json-schema.org/draft/2020-12/schema" })).toEqual([
      "/schema/$schema",
    ]);
  });

  it("refuses what the Parquet sink cannot type, with pointers", () => {
    expect(pointers({ type: "object", properties: { a: { $ref: "#/definitions/x" } } })).toEqual([
      "/schema/properties/a/$ref",
    ]);
    expect(pointers({ type: "object", properties: { id: {}, ID: {} } })).toEqual(["/schema/properties/ID"]);
    expect(pointers({ type: "object", properties: { s: { type: "object", properties: { x: {}, X: {} } } } })).toEqual([
      "/schema/properties/s/properties/X",
    ]);
    expect(pointers({ type: "object", properties: { "": {} } })).toEqual(["/schema/properties/"]);
    expect(pointers(JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}}}'))).toEqual([
      "/schema/properties/__proto__",
    ]);
    expect(pointers({ type: "object", properties: { a: true } })).toEqual(["/schema/properties/a"]);
    expect(pointers({ type: "object", properties: { "a/b~": 5 } })).toEqual(["/schema/properties/a~1b~0"]);
    expect(pointers({ type: "object", properties: { list: { type: "array", items: { $ref: "#" } } } })).toEqual([
      "/schema/properties/list/items/$ref",
    ]);
  });

  it("refuses what is not valid draft-07 (meta-schema) or cannot compile", () => {
    expect(pointers({ type: "object", properties: { a: { type: "text" } } })).toContain("/schema/properties/a/type");
    expect(pointers({ type: "object", properties: { a: { minimum: "zero" } } })).toEqual([
      "/schema/properties/a/minimum",
    ]);
  });

  it("refuses regular expressions anywhere in the schema, but not columns named like keywords", () => {
    expect(pointers({ type: "object", properties: { a: { type: "string", pattern: "^(a+)+$" } } })).toEqual([
      "/schema/properties/a/pattern",
    ]);
    expect(
      pointers({
        type: "object",
        properties: { m: { type: "object", patternProperties: { "^x": { type: "string" } } } },
      }),
    ).toEqual(["/schema/properties/m/patternProperties"]);
    expect(pointers({ type: "object", properties: { a: { anyOf: [{ type: "string", pattern: "a" }] } } })).toEqual([
      "/schema/properties/a/anyOf/0/pattern",
    ]);
    expect(
      pointers({ type: "object", properties: { pattern: { type: "string" }, patternProperties: { type: "string" } } }),
    ).toEqual([]);
  });

  it("bounds nesting depth and size", () => {
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 40; i++) deep = { type: "object", properties: { n: deep } };
    expect(lintDatasetSchema(deep)[0]?.message).toMatch(/nests more than 32 levels/);
    const wide = {
      type: "object",
      properties: Object.fromEntries(Array.from({ length: 5001 }, (_, i) => [`p${i}`, {}])),
    };
    expect(lintDatasetSchema(wide).map((p) => p.message)).toEqual(["has more than 5000 properties in all"]);
  });
});

describe("prepareDataset", () => {
  it("assigns schemaRef and makes it the schema's $id", () => {
    const doc = prepareDataset(
      { name: " People ", description: "d", schema: { ...rowSchema, $id: "mine" } },
      "TESTORG@AdobeOrg",
    );
    const schemaRef = doc.schemaRef as { id: string; contentType: string };
    expect(schemaRef.id).toMatch(/^https:\/\/ns\.adobe\.com\/testorg\/schemas\/[0-9a-f]{32}$/);
    expect(schemaRef.contentType).toBe(schemaContentType);
    expect(doc).toMatchObject({ name: "People", description: "d", schema: { ...rowSchema, $id: schemaRef.id } });
  });

  it("lists every problem, refusing schemaRef and unknown fields", () => {
    let error: FlowError | undefined;
    try {
      prepareDataset(
        { schemaRef: { id: "x" }, color: "red", description: 1, schema: { type: "object" } },
        "O@AdobeOrg",
      );
    } catch (caught) {
      error = caught as FlowError;
    }
    expect(error?.kind).toBe("validationFailed");
    expect(((error?.details.problems ?? []) as Array<{ pointer: string }>).map((p) => p.pointer)).toEqual([
      "/schemaRef",
      "/color",
      "/name",
      "/description",
      "/schema/properties",
    ]);
    expect(() => prepareDataset([], "O@AdobeOrg")).toThrow(/must be a JSON object/);
  });
});

describe("batch documents", () => {
  it("carry status, the dataset relation, metrics and the run that wrote them", () => {
    const doc = batchDocument({
      batchId: newBatchId(),
      datasetId: "0123456789abcdef01234567",
      flowId: "f",
      runId: "r",
      status: "success",
      recordCount: 98,
      failedRecordCount: 2,
      outputBytes: 1234,
      startedAt: 1000,
      completedAt: 2000,
    });
    expect(doc).toEqual({
      status: "success",
      relatedObjects: [{ type: "dataSet", id: "0123456789abcdef01234567" }],
      metrics: {
        recordCount: 98,
        inputRecordCount: 100,
        outputRecordCount: 98,
        failedRecordCount: 2,
        outputByteSize: 1234,
        startTime: 1000,
        endTime: 2000,
      },
      started: 1000,
      completed: 2000,
      errors: [],
      tags: { flowId: ["f"], runId: ["r"] },
    });
  });
});
