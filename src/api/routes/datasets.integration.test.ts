import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headersFor, startTestServer, type TestServer } from "../../../test/support/server.ts";
import { storeBackends } from "../../../test/support/stores.ts";
import { batchIdPattern, newBatchId, recordBatch } from "../../datasets/catalog.ts";
import { datasetLayout } from "../../datasets/layout.ts";
import { runDatasetQuery } from "../../datasets/query.ts";
import type { Scope } from "../../store/metadata-store.ts";
import type { IssuedToken } from "../../tenancy/tokens.ts";

const catalog = "/data/foundation/catalog";

const rowSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: {
    id: { type: "string" },
    email: { type: "string" },
    age: { type: ["integer", "null"] },
    seenAt: { type: "string", format: "date-time" },
    address: { type: "object", properties: { city: { type: "string" } } },
  },
  required: ["id"],
};

for (const backend of storeBackends()) {
  describe(`Catalog datasets and batches on ${backend.name}`, () => {
    let server: TestServer;
    let cleanupDatabase: () => Promise<void>;
    let admin: IssuedToken;
    let stranger: IssuedToken;
    let prod: Scope;

    beforeAll(async () => {
      const { target, cleanup } = await backend.target();
      cleanupDatabase = cleanup;
      server = await startTestServer({ target });
      admin = server.admin;
      stranger = await server.issueToken("OTHERORG@AdobeOrg", "admin");
      await server.server.store.createSandbox(admin.orgId, "dev");
      prod = { orgId: admin.orgId, sandboxName: "prod" };
    });

    afterAll(async () => {
      await server?.close();
      await cleanupDatabase?.();
    });

    async function call(
      method: string,
      path: string,
      options: { token?: IssuedToken; sandbox?: string; body?: unknown } = {},
    ) {
      const token = options.token ?? admin;
      const response = await fetch(`${server.url}${catalog}${path}`, {
        method,
        headers: {
          ...headersFor(token, options.sandbox),
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
    }

    async function createDataset(name: string, sandbox?: string): Promise<string> {
      const created = await call("POST", "/dataSets", { body: { name, schema: rowSchema }, sandbox });
      expect(created.status).toBe(201);
      return /^@\/dataSets\/([0-9a-f]{24})$/.exec(created.body[0])?.[1] as string;
    }

    it("documents the Catalog and Data Prep routes in the OpenAPI document", async () => {
      const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      const paths = Object.keys(document.paths);
      expect(paths).toEqual(
        expect.arrayContaining([
          `${catalog}/dataSets`,
          `${catalog}/dataSets/{id}`,
          `${catalog}/batches`,
          `${catalog}/batches/{id}`,
          "/data/foundation/conversion/mappingSets",
          "/data/foundation/conversion/mappingSets/{id}",
        ]),
      );
    });

    describe("datasets", () => {
      let id: string;

      it("creates a dataset: 201 with Catalog's reference array and a Location", async () => {
        const created = await call("POST", "/dataSets", {
          body: {
            name: "Members",
            description: "MailChimp members",
            schema: rowSchema,
            fileDescription: { format: "parquet" },
          },
        });
        expect(created.status).toBe(201);
        expect(created.body).toEqual([expect.stringMatching(/^@\/dataSets\/[0-9a-f]{24}$/)]);
        id = created.body[0].slice("@/dataSets/".length);
        expect(created.headers.get("location")).toBe(`${catalog}/dataSets/${id}`);
      });

      it("answers GET by id keyed by the id, with schemaRef, schema and Catalog metadata", async () => {
        const { status, body } = await call("GET", `/dataSets/${id}`);
        expect(status).toBe(200);
        expect(Object.keys(body)).toEqual([id]);
        const dataset = body[id];
        expect(dataset).toMatchObject({
          name: "Members",
          description: "MailChimp members",
          imsOrg: admin.orgId,
          sandboxName: "prod",
          sandboxId: expect.any(String),
          version: "1.0.0",
          fileDescription: { format: "parquet" },
          schemaRef: {
            id: expect.stringMatching(/^https:\/\/ns\.adobe\.com\/testorg\/schemas\/[0-9a-f]{32}$/),
            contentType: "application/vnd.adobe.xed-full+json;version=1",
          },
          createdUser: expect.stringMatching(/@InletToken$/),
          createdClient: admin.apiKey,
        });
        expect(dataset.schema).toEqual({ ...rowSchema, $id: dataset.schemaRef.id });
        expect(dataset.created).toBeTypeOf("number");
        expect(dataset.updated).toBe(dataset.created);
        expect(dataset.createdBy).toBeUndefined();
      });

      it("registers the dataset with the sink: the query view exists, empty and typed", async () => {
        const result = await runDatasetQuery(
          server.dataDir,
          `SELECT count(*) AS n, typeof(any_value(address)) AS t, typeof(any_value(seenAt)) AS s FROM ds_${id}`,
        );
        expect(result.rows).toEqual([{ n: 0, t: "STRUCT(city VARCHAR)", s: "TIMESTAMP WITH TIME ZONE" }]);
      });

      it("refuses a schema the sink cannot type, listing the problems, and creates nothing", async () => {
        const before = Object.keys((await call("GET", "/dataSets?limit=100")).body).length;
        const bad = await call("POST", "/dataSets", {
          body: {
            name: "Bad",
            schema: { type: "object", properties: { id: { type: "string" }, ID: {}, x: { $ref: "#/definitions/x" } } },
          },
        });
        expect(bad.status).toBe(400);
        expect(bad.body.type).toBe("https://ns.adobe.com/aep/errors/FLOW-1400-400");
        expect(bad.body.report.problems.map((p: { pointer: string }) => p.pointer)).toEqual([
          "/schema/properties/ID",
          "/schema/properties/x/$ref",
        ]);
        for (const body of [
          { name: "No schema" },
          { name: "Array", schema: { type: "array", items: {} } },
          { name: "Registry", schemaRef: { id: "https://ns.adobe.com/x/schemas/y", contentType: "x" } },
          { schema: rowSchema },
        ]) {
          expect((await call("POST", "/dataSets", { body })).status, JSON.stringify(body)).toBe(400);
        }
        expect(Object.keys((await call("GET", "/dataSets?limit=100")).body)).toHaveLength(before);
      });

      it("lists datasets keyed by id with limit, start, orderBy, properties and name", async () => {
        const second = await createDataset("Campaigns");
        const all = await call("GET", "/dataSets");
        expect(all.status).toBe(200);
        expect(Object.keys(all.body)).toEqual([id, second]);
        expect(Object.keys((await call("GET", "/dataSets?orderBy=desc:created")).body)).toEqual([second, id]);
        expect(Object.keys((await call("GET", "/dataSets?limit=1&start=1")).body)).toEqual([second]);
        expect((await call("GET", "/dataSets?name=Campaigns")).body).toEqual({
          [second]: expect.objectContaining({ name: "Campaigns" }),
        });
        expect((await call("GET", `/dataSets?properties=name,schemaRef&name=Members`)).body).toEqual({
          [id]: { name: "Members", schemaRef: expect.any(Object) },
        });
        const errors = [
          ["/dataSets?limit=0", 1451],
          ["/dataSets?limit=101", 1451],
          ["/dataSets?start=-1", 1451],
          ["/dataSets?color=red", 1451],
          ["/dataSets?orderBy=desc:color", 1432],
        ] as const;
        for (const [path, code] of errors) {
          const { status, body } = await call("GET", path);
          expect([status, body.type], path).toEqual([400, `https://ns.adobe.com/aep/errors/FLOW-${code}-400`]);
        }
      });

      it("hides datasets from another organization (404) and another sandbox", async () => {
        const foreign = await call("GET", `/dataSets/${id}`, { token: stranger });
        expect(foreign.status).toBe(404);
        expect(foreign.body.type).toBe("https://ns.adobe.com/aep/errors/FLOW-1101-404");
        expect((await call("GET", "/dataSets", { token: stranger })).body).toEqual({});
        expect((await call("GET", `/dataSets/${id}`, { sandbox: "dev" })).status).toBe(404);
        expect((await call("GET", "/dataSets", { sandbox: "dev" })).body).toEqual({});
        const devId = await createDataset("Dev only", "dev");
        expect(Object.keys((await call("GET", "/dataSets", { sandbox: "dev" })).body)).toEqual([devId]);
        expect(Object.keys((await call("GET", "/dataSets")).body)).not.toContain(devId);
        expect((await call("DELETE", `/dataSets/${id}`, { token: stranger })).status).toBe(404);
      });

      it("refuses to delete a dataset a target connection uses; then deletes it with batches and files", async () => {
        const doomed = await createDataset("Doomed");
        await recordBatch(server.server.store, prod, batchInput(doomed, newBatchId()));
        const store = server.server.store;
        await store.createResource({
          kind: "targetConnections",
          scope: prod,
          id: "5e2b6e11-0000-4000-8000-000000000001",
          doc: { name: "Target", params: { dataSetId: doomed } },
        });
        const refused = await call("DELETE", `/dataSets/${doomed}`);
        expect(refused.status).toBe(400);
        expect(refused.body.type).toBe("https://ns.adobe.com/aep/errors/FLOW-1418-400");
        expect(refused.body.report.targetConnectionIds).toEqual(["5e2b6e11-0000-4000-8000-000000000001"]);
        await store.deleteResource("targetConnections", prod, "5e2b6e11-0000-4000-8000-000000000001");
        const deleted = await call("DELETE", `/dataSets/${doomed}`);
        expect([deleted.status, deleted.body]).toEqual([200, [`@/dataSets/${doomed}`]]);
        expect((await call("GET", `/dataSets/${doomed}`)).status).toBe(404);
        expect((await call("GET", `/batches?dataSet=${doomed}`)).body).toEqual({});
        expect(existsSync(datasetLayout.dataset(server.dataDir, doomed))).toBe(false);
        expect((await call("DELETE", `/dataSets/${doomed}`)).status).toBe(404);
      });
    });

    describe("batches", () => {
      let datasetId: string;
      let otherDatasetId: string;
      const first = newBatchId(Date.now() - 1000);
      const second = newBatchId();

      beforeAll(async () => {
        datasetId = await createDataset("With batches");
        otherDatasetId = await createDataset("Other");
        await recordBatch(server.server.store, prod, batchInput(datasetId, first));
        await recordBatch(server.server.store, prod, {
          ...batchInput(datasetId, second),
          status: "failed",
          recordCount: 0,
        });
        await recordBatch(server.server.store, prod, batchInput(otherDatasetId, newBatchId()));
      });

      it("lists a dataset's batches keyed by id, with status, relatedObjects and metrics", async () => {
        const { status, body } = await call("GET", `/batches?dataSet=${datasetId}`);
        expect(status).toBe(200);
        expect(Object.keys(body)).toEqual([first, second]);
        expect(first).toMatch(batchIdPattern);
        expect(body[first]).toMatchObject({
          status: "success",
          relatedObjects: [{ type: "dataSet", id: datasetId }],
          metrics: { recordCount: 98, failedRecordCount: 2, inputRecordCount: 100, outputByteSize: 4096 },
          started: 1_700_000_000_000,
          completed: 1_700_000_005_000,
          tags: { flowId: ["flow-1"], runId: ["run-1"] },
          imsOrg: admin.orgId,
          sandboxName: "prod",
          created: expect.any(Number),
          updated: expect.any(Number),
        });
        expect(body[second].status).toBe("failed");
        expect(Object.keys((await call("GET", `/batches?dataSet=${datasetId}&status=failed`)).body)).toEqual([second]);
        expect(Object.keys((await call("GET", "/batches")).body)).toHaveLength(3);
        expect(
          Object.keys((await call("GET", `/batches?dataSet=${datasetId}&orderBy=desc:created&limit=1`)).body),
        ).toEqual([second]);
      });

      it("answers GET /batches/{id} keyed by id; recording the same batch again replaces it", async () => {
        await recordBatch(server.server.store, prod, {
          ...batchInput(datasetId, first),
          recordCount: 5,
          failedRecordCount: 0,
        });
        const { status, body } = await call("GET", `/batches/${first}`);
        expect(status).toBe(200);
        expect(body[first].metrics).toMatchObject({ recordCount: 5, failedRecordCount: 0 });
        expect(body[first].updated).toBeGreaterThanOrEqual(body[first].created);
        expect(Object.keys((await call("GET", `/batches?dataSet=${datasetId}`)).body)).toEqual([first, second]);
      });

      it("hides batches from another organization and another sandbox", async () => {
        expect((await call("GET", `/batches/${first}`, { token: stranger })).status).toBe(404);
        expect((await call("GET", `/batches?dataSet=${datasetId}`, { token: stranger })).body).toEqual({});
        expect((await call("GET", `/batches/${first}`, { sandbox: "dev" })).status).toBe(404);
        expect((await call("GET", "/batches", { sandbox: "dev" })).body).toEqual({});
      });
    });
  });
}

function batchInput(datasetId: string, batchId: string) {
  return {
    batchId,
    datasetId,
    flowId: "flow-1",
    runId: "run-1",
    status: "success" as const,
    recordCount: 98,
    failedRecordCount: 2,
    outputBytes: 4096,
    startedAt: 1_700_000_000_000,
    completedAt: 1_700_000_005_000,
  };
}
