/**
 * Wire conformance with Adobe's public Flow Service Swagger 2.0 (test/conformance/README.md).
 * The spec §7 workflow runs against a real server, calling each operation at the Swagger's own
 * path (basePath + path template, path parameters filled in, PATCH bodies in its form), and every
 * response body is checked against the schema the Swagger declares for that path, method and
 * status. docs/compatibility.md is the prose of this file: every expected schema error below is an
 * intended deviation explained there, and every field the Swagger does not declare must be listed
 * in `undeclaredFields` (and explained there), so a new one fails here until it is documented.
 *
 * `INLET_CONFORMANCE_REPORT=1` prints the per-endpoint table, with the declared fields we omit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restStorageToAepFlowSpecId } from "../../src/specs/index.ts";
import { type Imitation, sendJson, startImitation } from "../imitation-apis/server.ts";
import { recordsSpec, startRecordsApi, windowedMappings, windowedSchema } from "../support/flows-apis.ts";
import {
  dataLakeSpecId,
  FlowApi,
  fastRunner,
  prepareWorkflow,
  type Reply,
  registerSpec,
  waitForRuns,
} from "../support/flows-workflow.ts";
import { headersFor, startTestServer, type TestServer } from "../support/server.ts";
import { storeBackends } from "../support/stores.ts";
import { type Schema, Swagger, schemaOfExample, type Verdict } from "./swagger.ts";

const swagger = new Swagger();

type Conformance = "conforms" | "deviates" | "not in the Swagger";

interface Endpoint {
  /** `METHOD <Swagger path>`, optionally followed by ` (variant)`; our path when the Swagger lacks it. */
  readonly label: string;
  /** The status we answer; for Swagger operations it is one the Swagger declares. */
  readonly status: number;
  readonly conformance: Conformance;
  /** Schema errors (`<instance path> <message>`) that are intended deviations (docs/compatibility.md). */
  readonly errors?: readonly string[];
}

/** Every Swagger operation (and the Flow Service endpoints it lacks) with the verdict we expect. */
const endpoints: readonly Endpoint[] = [
  { label: "POST /connections", status: 201, conformance: "conforms" },
  { label: "GET /connections", status: 200, conformance: "conforms" },
  { label: "GET /connections (count=true)", status: 200, conformance: "conforms" },
  { label: "GET /connections/{BASE_CONNECTION_ID}", status: 200, conformance: "conforms" },
  { label: "GET /connections/{BASE_CONNECTION_ID}/test", status: 200, conformance: "conforms" },
  { label: "GET /connections/{BASE_CONNECTION_ID}/test (refused)", status: 200, conformance: "conforms" },
  {
    label: "GET /connections/{BASE_CONNECTION_ID}/explore",
    status: 200,
    conformance: "deviates",
    // REST sources answer the documented preview {format, schema, data} (spec §5), not the
    // folder/table listing of file and database sources.
    errors: ["/ must be array"],
  },
  { label: "PATCH /connections/{BASE_CONNECTION_ID}/", status: 200, conformance: "conforms" },
  { label: "DELETE /connections/{BASE_CONNECTION_ID}/", status: 204, conformance: "conforms" },
  {
    label: "GET /connectionSpecs",
    status: 200,
    conformance: "deviates",
    // The Batch SDK's uiAttributes are {key} objects (spec §4.2); specs are shown as registered.
    errors: [
      "/items/*/sourceSpec/attributes/uiAttributes/category must be string",
      "/items/*/sourceSpec/attributes/uiAttributes/description must be string",
      "/items/*/sourceSpec/attributes/uiAttributes/icon must be string",
      "/items/*/sourceSpec/attributes/uiAttributes/label must be string",
    ],
  },
  {
    label: "GET /connectionSpecs/{CONNECTION_SPEC_ID}",
    status: 200,
    conformance: "deviates",
    errors: [
      "/items/*/sourceSpec/attributes/uiAttributes/category must be string",
      "/items/*/sourceSpec/attributes/uiAttributes/description must be string",
      "/items/*/sourceSpec/attributes/uiAttributes/icon must be string",
      "/items/*/sourceSpec/attributes/uiAttributes/label must be string",
    ],
  },
  {
    label: "GET /flowSpecs",
    status: 200,
    conformance: "deviates",
    // The flow spec's transformationSpecs is an array (spec §1.3, and what PUT takes).
    errors: ["/items/*/transformationSpecs must be object"],
  },
  {
    label: "GET /flowSpecs/{FLOW_SPEC_ID}",
    status: 200,
    conformance: "deviates",
    errors: ["/items/*/transformationSpecs must be object"],
  },
  { label: "POST /flows", status: 201, conformance: "conforms" },
  { label: "POST /flows (hourly, with options)", status: 201, conformance: "conforms" },
  { label: "GET /flows", status: 200, conformance: "conforms" },
  { label: "GET /flows (limit=1)", status: 200, conformance: "conforms" },
  { label: "GET /flows/{FLOW_ID}", status: 200, conformance: "conforms" },
  { label: "PATCH /flows/{FLOW_ID}", status: 200, conformance: "conforms" },
  { label: "DELETE /flows/{FLOW_ID}", status: 204, conformance: "conforms" },
  { label: "POST /runs", status: 201, conformance: "conforms" },
  { label: "GET /runs", status: 200, conformance: "conforms" },
  { label: "GET /runs (count=true)", status: 200, conformance: "conforms" },
  { label: "GET /runs/{RUN_ID}", status: 200, conformance: "conforms" },
  { label: "POST /sourceConnections", status: 201, conformance: "conforms" },
  { label: "GET /sourceConnections/{SOURCE_CONNECTION_ID}", status: 200, conformance: "conforms" },
  // The Swagger declares the list envelope; the docs, and every other PATCH, answer {id, etag}.
  { label: "PATCH /sourceConnections/{SOURCE_CONNECTION_ID}", status: 200, conformance: "deviates" },
  { label: "DELETE /sourceConnections/{SOURCE_CONNECTION_ID}", status: 204, conformance: "conforms" },
  { label: "POST /targetConnections", status: 201, conformance: "conforms" },
  { label: "GET /targetConnections/{TARGET_CONNECTION_ID}", status: 200, conformance: "conforms" },
  { label: "PATCH /targetConnections/{TARGET_CONNECTION_ID}", status: 200, conformance: "deviates" },
  { label: "DELETE /targetConnections/{TARGET_CONNECTION_ID}", status: 204, conformance: "conforms" },
  // Not in the Swagger: held to the closest definition it has.
  { label: "GET /sourceConnections", status: 200, conformance: "not in the Swagger" },
  { label: "GET /targetConnections", status: 200, conformance: "not in the Swagger" },
  { label: "POST /flows/{FLOW_ID}/action", status: 200, conformance: "not in the Swagger" },
];

/** The definition an endpoint the Swagger lacks is held to. */
const closestDefinition: Record<string, string> = {
  "GET /sourceConnections": "SourceConnectionsListResponse",
  "GET /targetConnections": "TargetConnectionsListResponse",
  "POST /flows/{FLOW_ID}/action": "CreateFlowResponse",
};

/**
 * Fields we send that the Swagger's schema does not declare, per resource (the Swagger path's
 * first segment): `adobe` when Adobe's docs show them (spec section), `inlet` for Inlet's own.
 */
const undeclaredFields: Record<string, Record<string, string>> = {
  connections: {
    _links: "adobe §2.3 list envelope",
    count: "adobe §2.3 count=true",
    reason: "inlet: why a connection test failed",
  },
  connectionSpecs: {
    _links: "adobe §2.3 list envelope",
    "items[].type": "adobe §1.2",
    "items[].description": "adobe §1.2",
    "items[].targetSpec": "inlet: the built-in Data Lake spec's target params schema",
    ...metadata("items[]", "adobe §1.1, §1 [CONFLICT]"),
  },
  flowSpecs: {
    _links: "adobe §2.3 list envelope",
    ...metadata("items[]", "adobe §1.1, §1 [CONFLICT]"),
  },
  flows: {
    "items[].options": "inlet: flow options (errorDiagnosticsEnabled, partialIngestionPercent)",
    "items[].nextRunAt": "inlet",
    "items[].lastOperation.percentCompleted": "adobe §1.8",
    "items[].lastOperation.status": "adobe §1.8",
    "items[].lastOperation.ops": "adobe §1.8",
  },
  runs: {
    "items[].etag": "adobe §1.9 (the Swagger spells it eTag; both are sent)",
    "items[].version": "inlet: every instance resource carries version = etag (§1.1)",
    "items[].state": "adobe §2.3 (runs filter on state)",
    "items[].params": "adobe §1.9 on-demand run params",
    "items[].activities": "adobe §1.9 (the Swagger misspells it activites)",
    "items[].metrics.statusSummary.errors": "adobe §1.9",
    "items[].metrics.extensions": "inlet: engine figures and the window",
    "items[].execution": "inlet: trigger, window, batch, attempt, owner, heartbeat",
  },
  "runs activities": {
    "[].durationSummary.extensions": "adobe §1.9 windowStart/windowEnd",
    "[].statusSummary.errors": "adobe §1.9",
    "[].statusSummary.sampleErrors": "inlet: up to 10 failed records",
    "[].sourceInfo": "adobe §1.9",
    "[].targetInfo": "adobe §1.9",
    "[].extensions": "inlet: engine figures of the copy activity",
  },
  sourceConnections: {},
  targetConnections: {},
};

/** Subtrees whose content is the caller's or a spec author's (free-form), not the Swagger's model. */
const opaque = [
  "items[].auth.params",
  "items[].params",
  "items[].authSpec",
  "items[].sourceSpec",
  "items[].exploreSpec",
  "items[].attributes",
  "items[].permissionsInfo",
  "items[].optionSpec",
  "items[].transformationSpecs",
  "items[].scheduleSpec",
];

function metadata(prefix: string, note: string): Record<string, string> {
  const fields = ["createdAt", "updatedAt", "createdBy", "updatedBy", "createdClient", "updatedClient"];
  const scope = ["imsOrgId", "sandboxId", "sandboxName", "etag"];
  return Object.fromEntries([...fields, ...scope].map((field) => [`${prefix}.${field}`, note]));
}

function operationOf(label: string): string {
  return label.replace(/ \(.*\)$/, "");
}

function resourceOf(label: string): string {
  return operationOf(label).split(" ")[1]!.split("/")[1]!;
}

function isOpaque(path: string): boolean {
  return opaque.some((prefix) => path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[]`));
}

for (const backend of storeBackends()) {
  describe(`Flow Service responses against Adobe's Swagger 2.0 on ${backend.name}`, () => {
    let server: TestServer;
    let cleanup: () => Promise<void>;
    let records: Imitation;
    let refusing: Imitation;
    let api: FlowApi;
    const observed = new Map<string, Reply>();
    /** Ids of what the workflow made, for the path parameters of the error checks. */
    const ids: Record<string, string> = {};

    /** Calls the API at the Swagger's path template, filled in, under its basePath. */
    async function call(
      label: string,
      params: Record<string, string>,
      body: unknown,
      options: { query?: string; headers?: Record<string, string> } = {},
    ): Promise<Reply> {
      const [method, template] = operationOf(label).split(" ") as [string, string];
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = params[name];
        if (value === undefined) throw new Error(`${label}: no value for {${name}}`);
        return value;
      });
      const reply = await api.call(method, `${swagger.basePath}${path}${options.query ?? ""}`, body, options.headers);
      observed.set(label, reply);
      return reply;
    }

    async function ok(
      label: string,
      params: Record<string, string>,
      body: unknown,
      options: { query?: string; headers?: Record<string, string> } = {},
    ): Promise<Reply> {
      const reply = await call(label, params, body, options);
      const status = endpoints.find((endpoint) => endpoint.label === label)?.status;
      if (reply.status !== status) {
        throw new Error(`${label} answered ${reply.status}, expected ${status}: ${JSON.stringify(reply.body)}`);
      }
      return reply;
    }

    beforeAll(async () => {
      const { target, cleanup: drop } = await backend.target();
      cleanup = drop;
      server = await startTestServer({ target, runner: fastRunner });
      api = new FlowApi(server.url, server.admin);
      const t0 = Date.now() - 3_600_000;
      records = await startRecordsApi([
        { id: 1, updated: t0, label: "a" },
        { id: 2, updated: t0 + 1000, label: "b" },
      ]);
      const CONNECTION_SPEC_ID = await registerSpec(api, recordsSpec(records.url));
      const connectionSpec = { id: CONNECTION_SPEC_ID, version: "1.0" };
      const auth = { specName: "Basic Authentication", params: { username: "u", password: "pw-conformance-1" } };

      // Base connection. PATCH and DELETE go to the Swagger's `/connections/{id}/` (trailing
      // slash) with its body form: one instruction, upper-case op.
      const base = await ok("POST /connections", {}, { name: "conformance base", connectionSpec, auth });
      const BASE_CONNECTION_ID = base.body.id as string;
      await ok("GET /connections", {}, undefined);
      await ok("GET /connections (count=true)", {}, undefined, { query: "?count=true" });
      await ok("GET /connections/{BASE_CONNECTION_ID}", { BASE_CONNECTION_ID }, undefined);
      await ok("GET /connections/{BASE_CONNECTION_ID}/test", { BASE_CONNECTION_ID }, undefined);
      refusing = await startImitation((_req, res) => sendJson(res, 401, { error: "unauthorized" }));
      const refusingSpec = await registerSpec(api, recordsSpec(refusing.url, "Refusing test source"));
      const refused = await api.ok("POST", "/connections", {
        name: "conformance refused",
        connectionSpec: { id: refusingSpec, version: "1.0" },
        auth,
      });
      const test = await ok(
        "GET /connections/{BASE_CONNECTION_ID}/test (refused)",
        { BASE_CONNECTION_ID: refused.body.id },
        undefined,
      );
      expect(test.body).toMatchObject({ result: false, reason: expect.any(String) });
      await ok("GET /connections/{BASE_CONNECTION_ID}/explore", { BASE_CONNECTION_ID }, undefined, {
        query: "?objectType=rest&object=json&fileType=json&preview=true&sourceParams=e30%3D",
      });
      await ok(
        "PATCH /connections/{BASE_CONNECTION_ID}/",
        { BASE_CONNECTION_ID },
        { op: "ADD", path: "/description", value: "patched the Swagger's way" },
        { headers: { "if-match": base.body.etag } },
      );

      // The dataset and mapping set (and a source and target of their own) as the flow suites make them.
      const workflow = await prepareWorkflow(api, {
        connectionSpecId: CONNECTION_SPEC_ID,
        auth,
        schema: windowedSchema,
        mappings: windowedMappings,
        scheduleParams: { startTime: Math.floor(Date.now() / 1000), frequency: "once" },
      });

      const source = await ok(
        "POST /sourceConnections",
        {},
        {
          name: "conformance source",
          baseConnectionId: BASE_CONNECTION_ID,
          connectionSpec,
          data: { format: "json" },
          params: {},
        },
      );
      const SOURCE_CONNECTION_ID = source.body.id as string;
      await ok("GET /sourceConnections/{SOURCE_CONNECTION_ID}", { SOURCE_CONNECTION_ID }, undefined);
      await ok(
        "PATCH /sourceConnections/{SOURCE_CONNECTION_ID}",
        { SOURCE_CONNECTION_ID },
        [{ op: "replace", path: "/name", value: "conformance source, renamed" }],
        { headers: { "if-match": source.body.etag } },
      );
      await ok("GET /sourceConnections", {}, undefined);

      const targetReply = await ok(
        "POST /targetConnections",
        {},
        {
          name: "conformance target",
          connectionSpec: { id: dataLakeSpecId, version: "1.0" },
          data: { format: "parquet_xdm" },
          params: { dataSetId: workflow.datasetId },
        },
      );
      const TARGET_CONNECTION_ID = targetReply.body.id as string;
      await ok("GET /targetConnections/{TARGET_CONNECTION_ID}", { TARGET_CONNECTION_ID }, undefined);
      await ok(
        "PATCH /targetConnections/{TARGET_CONNECTION_ID}",
        { TARGET_CONNECTION_ID },
        [{ op: "add", path: "/description", value: "conformance target" }],
        { headers: { "if-match": targetReply.body.etag } },
      );
      await ok("GET /targetConnections", {}, undefined);

      await ok("GET /connectionSpecs", {}, undefined);
      await ok("GET /connectionSpecs/{CONNECTION_SPEC_ID}", { CONNECTION_SPEC_ID }, undefined);
      await ok("GET /flowSpecs", {}, undefined);
      await ok("GET /flowSpecs/{FLOW_SPEC_ID}", { FLOW_SPEC_ID: restStorageToAepFlowSpecId }, undefined);

      // A flow scheduled once, now (it runs at once, then takes an on-demand run), and an hourly
      // one from tomorrow with options (it never runs here).
      const flowBody = {
        ...workflow.flowBody,
        name: "conformance flow",
        description: "the conformance suite's flow",
        sourceConnectionIds: [SOURCE_CONNECTION_ID],
        targetConnectionIds: [TARGET_CONNECTION_ID],
      };
      const once = await ok("POST /flows", {}, flowBody);
      const hourly = await ok(
        "POST /flows (hourly, with options)",
        {},
        {
          ...flowBody,
          name: "conformance hourly flow",
          scheduleParams: {
            startTime: Math.floor(Date.now() / 1000) + 86_400,
            frequency: "hour",
            interval: 2,
            backfill: false,
          },
          options: { errorDiagnosticsEnabled: true, partialIngestionPercent: 5 },
        },
      );
      const FLOW_ID = once.body.id as string;
      await waitForRuns(api, FLOW_ID, 1);
      const patched = await ok(
        "PATCH /flows/{FLOW_ID}",
        { FLOW_ID },
        [{ op: "replace", path: "/name", value: "conformance flow, renamed" }],
        { headers: { "if-match": once.body.etag } },
      );
      await ok("POST /flows/{FLOW_ID}/action", { FLOW_ID }, undefined, {
        query: "?op=disable",
        headers: { "if-match": patched.body.etag },
      });
      await api.ok("POST", `/flows/${FLOW_ID}/action?op=enable`, undefined, 200);
      const now = Math.floor(Date.now() / 1000);
      const onDemand = await ok(
        "POST /runs",
        {},
        { flowId: FLOW_ID, params: { windowStartTime: now - 3600, windowEndTime: now } },
      );
      await waitForRuns(api, FLOW_ID, 2);
      await ok("GET /runs", {}, undefined, { query: `?property=flowId==${FLOW_ID}` });
      await ok("GET /runs (count=true)", {}, undefined, { query: "?count=true" });
      await ok("GET /runs/{RUN_ID}", { RUN_ID: onDemand.body.id }, undefined);
      await ok("GET /flows", {}, undefined);
      await ok("GET /flows (limit=1)", {}, undefined, { query: "?limit=1&orderby=createdAt" });
      await ok("GET /flows/{FLOW_ID}", { FLOW_ID: hourly.body.id }, undefined);
      Object.assign(ids, {
        BASE_CONNECTION_ID,
        SOURCE_CONNECTION_ID,
        TARGET_CONNECTION_ID,
        CONNECTION_SPEC_ID,
        FLOW_SPEC_ID: restStorageToAepFlowSpecId,
        FLOW_ID,
        RUN_ID: onDemand.body.id as string,
      });

      // Deletes, innermost first (the workflow's own source and target use the base connection too).
      await api.ok("DELETE", `/flows/${hourly.body.id}`, undefined, 204);
      await ok("DELETE /flows/{FLOW_ID}", { FLOW_ID }, undefined);
      await ok("DELETE /targetConnections/{TARGET_CONNECTION_ID}", { TARGET_CONNECTION_ID }, undefined);
      await ok("DELETE /sourceConnections/{SOURCE_CONNECTION_ID}", { SOURCE_CONNECTION_ID }, undefined);
      await api.ok("DELETE", `/targetConnections/${workflow.targetConnectionId}`, undefined, 204);
      await api.ok("DELETE", `/sourceConnections/${workflow.sourceConnectionId}`, undefined, 204);
      await ok("DELETE /connections/{BASE_CONNECTION_ID}/", { BASE_CONNECTION_ID }, undefined);
    });

    afterAll(async () => {
      if (process.env.INLET_CONFORMANCE_REPORT) printReport();
      await server?.close();
      await records?.close();
      await refusing?.close();
      await cleanup?.();
    });

    /** The schema a response is held to: the declared one, the declared example's shape, or the closest definition. */
    function schemaFor(label: string, status: number): Schema | undefined {
      const operation = operationOf(label);
      const [method, path] = operation.split(" ") as [string, string];
      if (status === 204) return undefined; // no body to check (the Swagger attaches list schemas to some 204s)
      const declared = swagger.response(path, method, status);
      if (declared?.schema) return declared.schema;
      const example = declared?.examples?.["application/json"];
      if (example !== undefined) return schemaOfExample(example);
      const definition = closestDefinition[operation];
      return definition ? { $ref: `#/definitions/${definition}` } : undefined;
    }

    function verdictOf(label: string): Verdict | undefined {
      const reply = observed.get(label);
      const schema = reply && schemaFor(label, reply.status);
      return schema && swagger.check(schema, reply.body);
    }

    it("exercises every operation of the Swagger", () => {
      const covered = new Set(endpoints.map((endpoint) => operationOf(endpoint.label)));
      const missing = swagger
        .operations()
        .map(({ path, method }) => `${method} ${path}`)
        .filter((operation) => !covered.has(operation));
      expect(missing).toEqual([]);
      for (const endpoint of endpoints) {
        const [method, path] = operationOf(endpoint.label).split(" ") as [string, string];
        if (endpoint.conformance !== "not in the Swagger") {
          expect(swagger.statuses(path, method), endpoint.label).toContain(endpoint.status);
        } else expect(swagger.statuses(path, method), endpoint.label).toEqual([]);
      }
    });

    describe.each(endpoints)("$label", (endpoint) => {
      it(`answers ${endpoint.status} and ${endpoint.conformance === "deviates" ? "deviates only as documented" : "fits the Swagger"}`, () => {
        const reply = observed.get(endpoint.label);
        expect(reply, `${endpoint.label} was not called`).toBeDefined();
        expect(reply!.status).toBe(endpoint.status);
        if (endpoint.status === 204) {
          expect(reply!.body).toBeUndefined();
          return;
        }
        const verdict = verdictOf(endpoint.label);
        expect(verdict, `no schema for ${endpoint.label}`).toBeDefined();
        expect(verdict!.errors).toEqual(endpoint.errors ?? []);
        const known = undeclaredFields[resourceOf(endpoint.label)] ?? {};
        const unknown = verdict!.undeclared.filter((path) => !isOpaque(path) && known[path] === undefined);
        if (
          endpoint.label.startsWith("PATCH /sourceConnections") ||
          endpoint.label.startsWith("PATCH /targetConnections")
        ) {
          // {id, etag} where the Swagger declares the list envelope: all of it is "undeclared".
          expect(unknown).toEqual(["etag", "id"]);
        } else
          expect(unknown, `fields the Swagger does not declare and docs/compatibility.md does not list`).toEqual([]);
      });
    });

    it("shows each run's activities as the Swagger's (misspelt) `activites` declares them", () => {
      const runs = observed.get("GET /runs")!.body.items as Array<Record<string, unknown>>;
      expect(runs.length).toBeGreaterThanOrEqual(2);
      const schema = (swagger.document.definitions.FlowRunItemDTO!.properties as Record<string, Schema>).activites!;
      for (const run of runs) {
        const verdict = swagger.check(schema, run.activities);
        expect(verdict.errors).toEqual([]);
        const known = undeclaredFields["runs activities"]!;
        expect(verdict.undeclared.filter((path) => known[path] === undefined)).toEqual([]);
        expect(run.eTag).toBe(run.etag);
      }
    });

    it("echoes scheduleParams and mappingVersion with the Swagger's types", () => {
      const flow = observed.get("GET /flows/{FLOW_ID}")!.body.items[0];
      expect(flow.scheduleParams).toEqual({
        startTime: expect.any(Number),
        frequency: "hour",
        interval: "2",
        backfill: false,
      });
      expect(flow.transformations[0].params.mappingVersion).toBe("0");
      expect(observed.get("GET /flows (limit=1)")!.body._links.next.href).toMatch(
        /^\/data\/foundation\/flowservice\/flows\?/,
      );
    });

    it("answers creates with the Location the Swagger declares", () => {
      for (const label of [
        "POST /connections",
        "POST /sourceConnections",
        "POST /targetConnections",
        "POST /flows",
        "POST /runs",
      ]) {
        const reply = observed.get(label)!;
        const [, path] = operationOf(label).split(" ") as [string, string];
        expect(swagger.response(path, "POST", 201)?.headers?.Location, label).toBeDefined();
        expect(reply.headers.get("location"), label).toBe(`${swagger.basePath}${path}/${reply.body.id}`);
      }
    });

    it("answers 401 to an invalid token on every operation, as the Swagger declares", async () => {
      const token = { ...server.admin, accessToken: "inlet_not_a_token" };
      for (const { path, method } of swagger.operations()) {
        expect(swagger.statuses(path, method), `${method} ${path}`).toContain(401);
        const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? "unknown");
        const body = ["POST", "PATCH"].includes(method) ? {} : undefined;
        const reply = await api.as(token).call(method, `${swagger.basePath}${filled}`, body);
        expect([reply.status, reply.body.error_code], `${method} ${path}`).toEqual([401, "401013"]);
      }
    });

    it("answers a missing token 403 (the gateway's 403010, spec §2.1), where the Swagger says 401", async () => {
      const response = await fetch(`${server.url}${swagger.basePath}/connections`, {
        headers: { "x-api-key": server.admin.apiKey, "x-gw-ims-org-id": server.admin.orgId },
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error_code: "403010", message: "Oauth token is missing." });
    });

    it("does not read x-sandbox-id, so GET /flows never answers the Swagger's 400 for it", async () => {
      const response = await fetch(`${server.url}${swagger.basePath}/flows?count=true`, {
        headers: { ...headersFor(server.admin), "x-sandbox-id": "*" },
      });
      expect(response.status).toBe(200);
    });

    function printReport(): void {
      const lines = [
        "| endpoint | status | verdict | schema errors | undeclared (not opaque) | declared, not sent |",
        "|---|---|---|---|---|---|",
      ];
      for (const endpoint of endpoints) {
        const reply = observed.get(endpoint.label);
        const verdict = verdictOf(endpoint.label);
        const undeclared = verdict?.undeclared.filter((path) => !isOpaque(path)) ?? [];
        const absent = verdict?.absent.filter((path) => !isOpaque(path)) ?? [];
        lines.push(
          `| ${endpoint.label} | ${reply?.status ?? "-"} | ${endpoint.conformance} | ${verdict?.errors.join("; ") ?? ""} | ${undeclared.join(", ")} | ${absent.join(", ")} |`,
        );
      }
      console.log(lines.join("\n"));
    }
  });
}
