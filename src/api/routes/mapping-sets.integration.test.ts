import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headersFor, startTestServer, type TestServer } from "../../../test/support/server.ts";
import { storeBackends } from "../../../test/support/stores.ts";
import { getDataset } from "../../datasets/catalog.ts";
import { compileMapping, getMappingSet } from "../../mapping/index.ts";
import type { Scope } from "../../store/metadata-store.ts";
import type { IssuedToken } from "../../tenancy/tokens.ts";

const conversion = "/data/foundation/conversion";
const catalog = "/data/foundation/catalog";

const rowSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    email: { type: "string" },
    fullName: { type: "string" },
    age: { type: "integer" },
    person: { type: "object", properties: { city: { type: "string" } } },
  },
};

for (const backend of storeBackends()) {
  describe(`Data Prep mapping sets on ${backend.name}`, () => {
    let server: TestServer;
    let cleanupDatabase: () => Promise<void>;
    let admin: IssuedToken;
    let stranger: IssuedToken;
    let prod: Scope;
    let datasetId: string;
    let schemaId: string;
    let otherDatasetId: string;

    beforeAll(async () => {
      const { target, cleanup } = await backend.target();
      cleanupDatabase = cleanup;
      server = await startTestServer({ target });
      admin = server.admin;
      stranger = await server.issueToken("OTHERORG@AdobeOrg", "admin");
      await server.server.store.createSandbox(admin.orgId, "dev");
      prod = { orgId: admin.orgId, sandboxName: "prod" };
      datasetId = await createDataset("Members");
      otherDatasetId = await createDataset("Other");
      schemaId = (await getDataset(server.server.store, prod, datasetId))?.schemaRef.id as string;
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
      const response = await fetch(`${server.url}${path.startsWith("/data") ? path : conversion + path}`, {
        method,
        headers: {
          ...headersFor(options.token ?? admin, options.sandbox),
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
    }

    async function createDataset(name: string): Promise<string> {
      const created = await call("POST", `${catalog}/dataSets`, { body: { name, schema: rowSchema } });
      expect(created.status).toBe(201);
      return created.body[0].slice("@/dataSets/".length);
    }

    function expectError(response: { status: number; body: { type: string } }, code: number) {
      expect([response.status, response.body.type]).toEqual([400, `https://ns.adobe.com/aep/errors/FLOW-${code}-400`]);
    }

    const dialectB = () => ({
      mappings: [
        { sourceType: "ATTRIBUTE", source: "results.id", destination: "id", name: "id", description: "member id" },
        { sourceType: "EXPRESSION", source: "lower(member.email)", destination: "email" },
        {
          sourceType: "EXPRESSION",
          source: 'concat(member.first_name, " ", member.last_name)',
          destination: "fullName",
        },
        { sourceType: "EXPRESSION", source: "to_integer(member.age)", destination: "age" },
      ],
    });

    it("creates dialect (a) naming the dataset's schema: 201 with Data Prep's summary", async () => {
      const body = {
        version: 0,
        xdmSchema: schemaId,
        xdmVersion: "1.0",
        id: null,
        mappings: [
          { destinationXdmPath: "id", sourceAttribute: "member.id", identity: false, version: 0 },
          { destinationXdmPath: "person.city", sourceAttribute: "member.location.city", identity: false, version: 0 },
        ],
      };
      const created = await call("POST", "/mappingSets", { body });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        version: 0,
        createdDate: expect.any(Number),
        modifiedDate: expect.any(Number),
        createdBy: expect.stringMatching(/@InletToken$/),
        modifiedBy: expect.stringMatching(/@InletToken$/),
      });
      expect(created.headers.get("location")).toBe(`${conversion}/mappingSets/${created.body.id}`);
      const fetched = await call("GET", `/mappingSets/${created.body.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual({
        ...created.body,
        xdmSchema: schemaId,
        xdmVersion: "1.0",
        mappings: body.mappings,
      });
    });

    it("creates dialect (b) with dataSetId (our extension), filling xdmSchema; the stored set compiles", async () => {
      const created = await call("POST", "/mappingSets", { body: { ...dialectB(), dataSetId: datasetId } });
      expect(created.status).toBe(201);
      const fetched = (await call("GET", `/mappingSets/${created.body.id}`)).body;
      expect(fetched).toMatchObject({
        dataSetId: datasetId,
        xdmSchema: schemaId,
        mappings: dialectB().mappings,
        version: 0,
      });
      const stored = await getMappingSet(server.server.store, prod, created.body.id);
      const dataset = await getDataset(server.server.store, prod, datasetId);
      const mapping = compileMapping(stored?.doc ?? {}, dataset?.schema ?? {});
      expect(
        mapping.apply({
          results: { id: "r1" },
          member: { email: "A@B.C", first_name: "Ann", last_name: "Lee", age: "41" },
        }),
      ).toEqual({ ok: true, row: { id: "r1", email: "a@b.c", fullName: "Ann Lee", age: 41 } });
      // The same set in front of another dataset names the wrong schema: 1425 at flow time.
      const other = await getDataset(server.server.store, prod, otherDatasetId);
      expect(() => compileMapping(stored?.doc ?? {}, other?.schema ?? {})).toThrow(/maps to schema/);
    });

    it("accepts a set naming no schema; its destinations are checked when a flow uses it", async () => {
      const created = await call("POST", "/mappingSets", {
        body: { mappings: [{ sourceType: "ATTRIBUTE", source: "a", destination: "not.in.any.schema" }] },
      });
      expect(created.status).toBe(201);
    });

    it("refuses with 1419 what cannot map: unknown function, arity, not a path, absent destination", async () => {
      const bad = await call("POST", "/mappingSets", {
        body: {
          xdmSchema: schemaId,
          mappings: [
            { sourceType: "EXPRESSION", source: "eval(member.email)", destination: "email" },
            { sourceType: "EXPRESSION", source: "lower(a, b)", destination: "fullName" },
            { sourceType: "ATTRIBUTE", source: "member..id", destination: "id" },
            { sourceType: "ATTRIBUTE", source: "member.nick", destination: "nickname" },
          ],
        },
      });
      expectError(bad, 1419);
      expect(bad.body.title).toBe("Mapping validation failed");
      expect(bad.body.report.problems.map((p: { pointer: string }) => p.pointer)).toEqual([
        "/mappings/0/source",
        "/mappings/1/source",
        "/mappings/2/source",
        "/mappings/3/destination",
      ]);
      expect(bad.body.report["detailed-message"]).toMatch(/unknown function eval/);
      const cases = [
        { mappings: [] },
        { mappings: [{ sourceType: "SCRIPT", source: "a", destination: "id" }] },
        { xdmSchema: "https://ns.adobe.com/testorg/schemas/unknown", mappings: [{ source: "a", destination: "id" }] },
        { dataSetId: "0123456789abcdef01234567", mappings: [{ source: "a", destination: "id" }] },
        { dataSetId: "not-an-id", mappings: [{ source: "a", destination: "id" }] },
        { dataSetId: datasetId, mappings: [{ source: "a", destination: "person.city.name" }] },
      ];
      for (const body of cases) expectError(await call("POST", "/mappingSets", { body }), 1419);
    });

    it("refuses with 1425 a set whose xdmSchema is not its dataset's schema", async () => {
      const mismatch = await call("POST", "/mappingSets", {
        body: { ...dialectB(), xdmSchema: schemaId, dataSetId: otherDatasetId },
      });
      expectError(mismatch, 1425);
      expect(mismatch.body.report).toMatchObject({ mappingSchema: schemaId, dataSetId: otherDatasetId });
    });

    it("lists mapping sets in Data Prep's envelope with limit, start and orderBy", async () => {
      const { status, body } = await call("GET", "/mappingSets");
      expect(status).toBe(200);
      expect(body.data).toHaveLength(3);
      expect(body._page).toEqual({ count: 3, totalCount: 3, start: 0, limit: 100 });
      const newest = await call("GET", "/mappingSets?limit=1&start=0&orderBy=-createdDate");
      expect(newest.body.data).toHaveLength(1);
      expect(newest.body.data[0].id).toBe(body.data[2].id);
      expectError(await call("GET", "/mappingSets?orderBy=-name"), 1432);
      expectError(await call("GET", "/mappingSets?limit=0"), 1451);
    });

    it("hides mapping sets from another organization and another sandbox", async () => {
      const id = (await call("GET", "/mappingSets")).body.data[0].id;
      expect((await call("GET", `/mappingSets/${id}`, { token: stranger })).status).toBe(404);
      expect((await call("GET", "/mappingSets", { token: stranger })).body.data).toEqual([]);
      expect((await call("GET", `/mappingSets/${id}`, { sandbox: "dev" })).status).toBe(404);
      expect((await call("GET", "/mappingSets", { sandbox: "dev" })).body.data).toEqual([]);
      // prod's dataset is not visible from dev either.
      expectError(
        await call("POST", "/mappingSets", { sandbox: "dev", body: { ...dialectB(), dataSetId: datasetId } }),
        1419,
      );
      expect((await call("DELETE", `/mappingSets/${id}`, { token: stranger })).status).toBe(404);
    });

    it("refuses to delete a set a flow uses, deletes it otherwise", async () => {
      const id = (await call("POST", "/mappingSets", { body: dialectB() })).body.id;
      const flowId = "8f3c2f4e-0000-4000-8000-000000000001";
      await server.server.store.createResource({
        kind: "flows",
        scope: prod,
        id: flowId,
        doc: { name: "Flow", transformations: [{ name: "Mapping", params: { mappingId: id, mappingVersion: 0 } }] },
      });
      const refused = await call("DELETE", `/mappingSets/${id}`);
      expectError(refused, 1418);
      expect(refused.body.report.flowIds).toEqual([flowId]);
      await server.server.store.deleteResource("flows", prod, flowId);
      expect((await call("DELETE", `/mappingSets/${id}`)).status).toBe(204);
      expect((await call("GET", `/mappingSets/${id}`)).status).toBe(404);
    });
  });
}
