import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Imitation } from "../../../test/imitation-apis/server.ts";
import {
  recordsSpec,
  sourceSpec,
  startRecordsApi,
  startWindowedApi,
  type WindowedApi,
  windowedMappings,
  windowedSchema,
  windowedSpec,
} from "../../../test/support/flows-apis.ts";
import {
  createFlow,
  dataLakeSpecId,
  FlowApi,
  fastRunner,
  prepareWorkflow,
  registerSpec,
  terminal,
  type Workflow,
  waitForRuns,
} from "../../../test/support/flows-workflow.ts";
import { startTestServer, type TestServer } from "../../../test/support/server.ts";
import { storeBackends } from "../../../test/support/stores.ts";
import { restStorageToAepFlowSpecId } from "../../specs/index.ts";

const hour = 3_600_000;
const future = () => Math.floor(Date.now() / 1000) + 86_400;
const basic = { specName: "Basic Authentication", params: { username: "u", password: "pw-flows-api-7" } };

for (const backend of storeBackends()) {
  describe(`/flows and /runs on ${backend.name}`, () => {
    let server: TestServer;
    let cleanup: () => Promise<void>;
    let api: FlowApi;
    let windowed: WindowedApi;
    let recordsApi: Imitation;
    let specId: string;
    let workflow: Workflow;
    /** A valid flow body that never runs during the suite (it starts tomorrow). */
    let body: () => Record<string, unknown>;

    beforeAll(async () => {
      const { target, cleanup: drop } = await backend.target();
      cleanup = drop;
      server = await startTestServer({ target, runner: fastRunner });
      api = new FlowApi(server.url, server.admin);
      const t0 = Date.now() - 2 * hour;
      windowed = await startWindowedApi({
        records: Array.from({ length: 12 }, (_, i) => ({ id: i, updated: t0 + i * 1000, label: "x" })),
        delayMs: 150,
        password: "pw-flows-api-7",
      });
      recordsApi = await startRecordsApi([{ id: 1 }]);
      specId = await registerSpec(api, windowedSpec(windowed.url));
      workflow = await prepareWorkflow(api, {
        connectionSpecId: specId,
        auth: basic,
        schema: windowedSchema,
        mappings: windowedMappings,
        scheduleParams: { startTime: future(), frequency: "hour", interval: 1 },
      });
      body = () => ({
        ...structuredClone(workflow.flowBody),
        scheduleParams: { startTime: future(), frequency: "hour", interval: 1 },
      });
    });

    afterAll(async () => {
      await server?.close();
      await windowed?.close();
      await recordsApi?.close();
      await cleanup?.();
    });

    async function expectError(reply: { status: number; body: { type?: string } }, status: number, code: string) {
      expect(reply.status, JSON.stringify(reply.body)).toBe(status);
      expect(reply.body.type).toBe(`https://ns.adobe.com/aep/errors/FLOW-${code}-${status}`);
    }

    describe("create and read", () => {
      it("creates an enabled flow: 201 {id, etag} + Location, and shows it with its inherited attributes", async () => {
        const startTime = future();
        const created = await api.call("POST", "/flows", {
          ...body(),
          description: "hourly",
          scheduleParams: { startTime: String(startTime), frequency: "hour", interval: "2", backfill: "false" },
          options: { errorDiagnosticsEnabled: true, partialIngestionPercent: 5 },
        });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        expect(Object.keys(created.body).sort()).toEqual(["etag", "id"]);
        expect(created.body.etag).toMatch(/^".+"$/);
        expect(created.headers.get("location")).toBe(`/data/foundation/flowservice/flows/${created.body.id}`);

        const flow = (await api.ok("GET", `/flows/${created.body.id}`)).body.items[0];
        expect(flow).toMatchObject({
          id: created.body.id,
          name: "test flow",
          description: "hourly",
          state: "enabled",
          etag: created.body.etag,
          version: created.body.etag,
          flowSpec: { id: restStorageToAepFlowSpecId, version: "1.0" },
          sourceConnectionIds: [workflow.sourceConnectionId],
          targetConnectionIds: [workflow.targetConnectionId],
          // mappingVersion and interval are strings in the Swagger (TransformationSpecDTO, ScheduleSpecDTO).
          transformations: [{ name: "Mapping", params: { mappingId: workflow.mappingId, mappingVersion: "0" } }],
          scheduleParams: { startTime, frequency: "hour", interval: "2", backfill: false },
          options: { errorDiagnosticsEnabled: true, partialIngestionPercent: 5 },
          runs: `/runs?property=flowId==${created.body.id}`,
          lastOperation: { operation: "create", percentCompleted: 100, status: { value: "completed", errors: [] } },
          imsOrgId: server.admin.orgId,
          sandboxName: "prod",
          inheritedAttributes: {
            sourceConnections: [
              {
                id: workflow.sourceConnectionId,
                connectionSpec: { id: specId, version: "1.0" },
                baseConnection: { id: workflow.baseConnectionId, connectionSpec: { id: specId, version: "1.0" } },
              },
            ],
            targetConnections: [
              { id: workflow.targetConnectionId, connectionSpec: { id: dataLakeSpecId, version: "1.0" } },
            ],
          },
        });
        // Not backfilling: the first window is [startTime, startTime + 2 h).
        expect(flow.nextRunAt).toBe(startTime * 1000 + 2 * hour);
        expect(flow.lastRunDetails).toBeUndefined();

        const listed = await api.ok("GET", `/flows?property=id==${created.body.id}`);
        expect(listed.body.items).toHaveLength(1);
        expect(listed.body.items[0].nextRunAt).toBe(flow.nextRunAt);
        const counted = await api.ok("GET", "/flows?count=true&property=state==enabled");
        expect(counted.body.count).toBeGreaterThanOrEqual(1);
      });

      it("keeps the flow's first source connection as its parent, so the connection cannot be deleted", async () => {
        await createFlow(api, { ...workflow, flowBody: body() });
        const refused = await api.call("DELETE", `/sourceConnections/${workflow.sourceConnectionId}`);
        await expectError(refused, 400, "1418");
      });

      it("answers 404 for an unknown flow", async () => {
        await expectError(await api.call("GET", "/flows/00000000-0000-4000-8000-000000000000"), 404, "1101");
      });
    });

    describe("create validation", () => {
      it("refuses a state (1410) and an empty body (1405)", async () => {
        await expectError(await api.call("POST", "/flows", { ...body(), state: "enabled" }), 400, "1410");
        const empty = await fetch(`${server.url}/data/foundation/flowservice/flows`, {
          method: "POST",
          headers: { ...headersOf(api), "content-type": "application/json" },
        });
        expect(empty.status).toBe(400);
        expect(((await empty.json()) as { type: string }).type).toContain("FLOW-1405-400");
      });

      it("refuses an unknown flow spec or version (1413)", async () => {
        await expectError(await api.call("POST", "/flows", { ...body(), flowSpec: { id: "nope" } }), 400, "1413");
        await expectError(
          await api.call("POST", "/flows", { ...body(), flowSpec: { id: restStorageToAepFlowSpecId, version: "9.9" } }),
          400,
          "1413",
        );
        const noVersion = await api.call("POST", "/flows", { ...body(), flowSpec: { id: restStorageToAepFlowSpecId } });
        expect(noVersion.status).toBe(201);
      });

      it("refuses a source whose connection spec the flow spec does not list (1413)", async () => {
        // Created but never appended to RestStorageToAEP's sourceConnectionSpecIds.
        const created = await api.ok(
          "POST",
          "/connectionSpecs",
          sourceSpec(
            "Unlisted",
            (recordsSpec(recordsApi.url).sourceSpec as { attributes: Record<string, unknown> }).attributes,
          ),
        );
        const unlisted = await prepareWorkflow(api, {
          connectionSpecId: created.body.id,
          auth: basic,
          schema: windowedSchema,
          scheduleParams: { startTime: future(), frequency: "hour", interval: 1 },
        });
        const reply = await api.call("POST", "/flows", unlisted.flowBody);
        await expectError(reply, 400, "1413");
        expect(reply.body.errorMessage).toContain("sourceConnectionSpecIds");
        expect(reply.body.errorMessage).toContain(`PUT /flowSpecs/${restStorageToAepFlowSpecId}`);
      });

      it("refuses connections that do not exist here, and more than one of each", async () => {
        const reply = await api.call("POST", "/flows", {
          ...body(),
          sourceConnectionIds: ["missing-source"],
          targetConnectionIds: ["missing-target"],
        });
        await expectError(reply, 400, "1400");
        expect(reply.body.report.problems.map((p: { pointer: string }) => p.pointer)).toEqual([
          "/sourceConnectionIds/0",
          "/targetConnectionIds/0",
        ]);
        const two = await api.call("POST", "/flows", {
          ...body(),
          sourceConnectionIds: [workflow.sourceConnectionId, workflow.sourceConnectionId],
        });
        await expectError(two, 400, "1400");
      });

      it.each([
        [{ startTime: 1700000000, frequency: "minute", interval: 5 }, "/scheduleParams/interval"],
        [{ startTime: 1700000000, frequency: "once", interval: 15 }, "/scheduleParams"],
        [{ startTime: 1700000000, frequency: "once", backfill: true }, "/scheduleParams"],
        [{ startTime: 1700000000, frequency: "hour" }, "/scheduleParams"],
        [{ startTime: "soon", frequency: "hour", interval: 1 }, "/scheduleParams/startTime"],
        [{ startTime: 1700000000, frequency: "fortnight", interval: 1 }, "/scheduleParams/frequency"],
        [{ frequency: "hour", interval: 1 }, "/scheduleParams"],
        [{ startTime: 1700000000, frequency: "day", interval: 0 }, "/scheduleParams/interval"],
      ])("validates scheduleParams %j against the flow spec's scheduleSpec", async (scheduleParams, pointer) => {
        const reply = await api.call("POST", "/flows", { ...body(), scheduleParams });
        await expectError(reply, 400, "1400");
        expect(reply.body.report.problems.map((p: { pointer: string }) => p.pointer)).toContain(pointer);
      });

      it("names the forbidden field of a once schedule", async () => {
        const reply = await api.call("POST", "/flows", {
          ...body(),
          scheduleParams: { startTime: 1700000000, frequency: "once", interval: 15 },
        });
        expect(reply.body.errorMessage).toContain('must not have property "interval"');
      });

      it("checks the mapping: version (1412), existence (1419), schema (1425)", async () => {
        const withMapping = (params: Record<string, unknown>) => ({
          ...body(),
          transformations: [{ name: "Mapping", params }],
        });
        await expectError(
          await api.call("POST", "/flows", withMapping({ mappingId: workflow.mappingId, mappingVersion: 3 })),
          400,
          "1412",
        );
        await expectError(
          await api.call("POST", "/flows", withMapping({ mappingId: workflow.mappingId, mappingVersion: "x" })),
          400,
          "1412",
        );
        expect(
          (await api.call("POST", "/flows", withMapping({ mappingId: workflow.mappingId, mappingVersion: "0" })))
            .status,
        ).toBe(201);
        await expectError(
          await api.call("POST", "/flows", withMapping({ mappingId: "f".repeat(32), mappingVersion: 0 })),
          400,
          "1419",
        );

        // A mapping set made for another dataset's schema.
        const other = await api.ok("POST", "/data/foundation/catalog/dataSets", {
          name: "other",
          schema: windowedSchema,
        });
        const otherId = String(other.body[0]).replace("@/dataSets/", "");
        const foreign = await api.ok("POST", "/data/foundation/conversion/mappingSets", {
          dataSetId: otherId,
          mappings: windowedMappings,
        });
        await expectError(
          await api.call("POST", "/flows", withMapping({ mappingId: foreign.body.id, mappingVersion: 0 })),
          400,
          "1425",
        );
        // Other transformations are refused by name.
        const copy = await api.call("POST", "/flows", { ...body(), transformations: [{ name: "Copy", params: {} }] });
        await expectError(copy, 400, "1400");
      });

      it("validates options against the flow spec's optionSpec and refuses unknown fields", async () => {
        const zero = await api.call("POST", "/flows", { ...body(), options: { partialIngestionPercent: 0 } });
        await expectError(zero, 400, "1400");
        expect(zero.body.report.problems[0].pointer).toBe("/options/partialIngestionPercent");
        await expectError(
          await api.call("POST", "/flows", { ...body(), options: { errorDiagnosticsEnabled: "yes" } }),
          400,
          "1400",
        );
        const unknown = await api.call("POST", "/flows", { ...body(), schedule: {} });
        await expectError(unknown, 400, "1400");
        expect(unknown.body.report.problems[0].pointer).toBe("/schedule");
      });
    });

    describe("PATCH", () => {
      it("needs If-Match (1403), refuses a stale etag (412), applies and re-validates changes", async () => {
        const id = await createFlow(api, { ...workflow, flowBody: body() });
        const flow = (await api.ok("GET", `/flows/${id}`)).body.items[0];
        const rename = [{ op: "replace", path: "/name", value: "renamed" }];
        await expectError(await api.call("PATCH", `/flows/${id}`, rename), 400, "1403");
        await expectError(await api.call("PATCH", `/flows/${id}`, rename, { "if-match": '"stale"' }), 412, "1404");

        const patched = await api.call(
          "PATCH",
          `/flows/${id}`,
          [...rename, { op: "replace", path: "/scheduleParams/interval", value: "3" }],
          {
            "if-match": flow.etag,
          },
        );
        expect(patched.status, JSON.stringify(patched.body)).toBe(200);
        expect(patched.body.id).toBe(id);
        expect(patched.body.etag).not.toBe(flow.etag);
        const after = (await api.ok("GET", `/flows/${id}`)).body.items[0];
        expect(after).toMatchObject({ name: "renamed", scheduleParams: { interval: "3" }, etag: patched.body.etag });
        expect(after.lastOperation).toMatchObject({
          operation: "update",
          ops: [...rename, { op: "replace", path: "/scheduleParams/interval", value: "3" }],
        });
        // The old etag is stale now.
        await expectError(await api.call("PATCH", `/flows/${id}`, rename, { "if-match": flow.etag }), 412, "1404");

        const unquoted = patched.body.etag.replaceAll('"', "");
        const badInterval = [{ op: "replace", path: "/scheduleParams/frequency", value: "minute" }];
        await expectError(await api.call("PATCH", `/flows/${id}`, badInterval, { "if-match": unquoted }), 400, "1400");
        const badVersion = [{ op: "replace", path: "/transformations/0/params/mappingVersion", value: 7 }];
        await expectError(await api.call("PATCH", `/flows/${id}`, badVersion, { "if-match": unquoted }), 400, "1412");
        const state = [{ op: "replace", path: "/state", value: "disabled" }];
        const refused = await api.call("PATCH", `/flows/${id}`, state, { "if-match": unquoted });
        await expectError(refused, 400, "1455");
        expect(refused.body.errorMessage).toContain("action?op=");
        const sources = [{ op: "replace", path: "/sourceConnectionIds", value: [] }];
        await expectError(await api.call("PATCH", `/flows/${id}`, sources, { "if-match": unquoted }), 400, "1455");
        await expectError(
          await api.call("PATCH", `/flows/${id}`, [{ op: "move", from: "/name", path: "/description" }], {
            "if-match": unquoted,
          }),
          400,
          "1434",
        );
        // Nothing of the refused patches stuck.
        expect((await api.ok("GET", `/flows/${id}`)).body.items[0].etag).toBe(patched.body.etag);
      });
    });

    describe("enable and disable", () => {
      it("toggles the state, answering 1422 when the action does not apply", async () => {
        const id = await createFlow(api, { ...workflow, flowBody: body() });
        await expectError(await api.call("POST", `/flows/${id}/action?op=enable`), 400, "1422");
        const disabled = await api.call("POST", `/flows/${id}/action?op=disable`);
        expect(disabled.status).toBe(200);
        expect(Object.keys(disabled.body).sort()).toEqual(["etag", "id"]);
        const flow = (await api.ok("GET", `/flows/${id}`)).body.items[0];
        expect(flow).toMatchObject({ state: "disabled", nextRunAt: null, lastOperation: { operation: "disable" } });
        const again = await api.call("POST", `/flows/${id}/action?op=disable`);
        await expectError(again, 400, "1422");
        expect(again.body.errorMessage).toBe("Action disable is not applicable in state disabled.");
        await expectError(
          await api.call("POST", `/flows/${id}/action?op=enable`, undefined, { "if-match": '"stale"' }),
          412,
          "1404",
        );
        expect((await api.call("POST", `/flows/${id}/action?op=enable`)).status).toBe(200);
        await expectError(await api.call("POST", `/flows/${id}/action?op=pause`), 400, "1451");
      });
    });

    describe("runs", () => {
      it("refuses DELETE while a run is in progress, deletes afterwards, and keeps the runs", async () => {
        const startTime = Math.floor((Date.now() - hour) / 1000);
        const id = await createFlow(api, {
          ...workflow,
          flowBody: { ...body(), scheduleParams: { startTime, frequency: "once" } },
        });
        let run: { id: string; state: string } | undefined;
        for (let i = 0; i < 200 && run?.state !== "inProgress"; i++) {
          run = (await api.ok("GET", `/runs?property=flowId==${id}`)).body.items[0];
          if (run?.state !== "inProgress") await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(run?.state).toBe("inProgress");
        const refused = await api.call("DELETE", `/flows/${id}`);
        await expectError(refused, 400, "1416");
        expect(refused.body.errorMessage).toContain(run!.id);

        const [done] = await waitForRuns(api, id, 1);
        expect(done.state).toBe("success");
        expect((await api.call("DELETE", `/flows/${id}`)).status).toBe(204);
        await expectError(await api.call("GET", `/flows/${id}`), 404, "1101");
        const kept = await api.ok("GET", `/runs/${done.id}`);
        expect(kept.body.items[0]).toMatchObject({ id: done.id, flowId: id, state: "success" });
      });

      it("shows a run with Adobe's metrics and activities", async () => {
        const startTime = Math.floor((Date.now() - hour) / 1000);
        const id = await createFlow(api, {
          ...workflow,
          flowBody: { ...body(), scheduleParams: { startTime, frequency: "once" } },
        });
        const [listed] = await waitForRuns(api, id, 1);
        const run = (await api.ok("GET", `/runs/${listed.id}`)).body.items[0];
        expect(run).toMatchObject({
          flowId: id,
          flowSpec: { id: restStorageToAepFlowSpecId, version: "1.0" },
          state: "success",
          etag: expect.stringMatching(/^".+"$/),
          providerRefId: `M-${id}-backfill-0:${run.id}`,
          metrics: {
            durationSummary: { startedAtUTC: expect.any(Number), completedAtUTC: expect.any(Number) },
            sizeSummary: { inputBytes: expect.any(Number), outputBytes: expect.any(Number) },
            recordSummary: { inputRecordCount: 12, outputRecordCount: 12, failedRecordCount: 0 },
            statusSummary: { status: "success", errors: [] },
            extensions: {
              stopReason: "empty-page",
              pages: 4,
              requests: 4,
              retries: 0,
              attempt: 1,
              windowStart: 0,
              windowEnd: startTime * 1000,
            },
          },
          execution: { trigger: "schedule", attempt: 1, window: { start: 0, end: startTime * 1000, backfill: true } },
        });
        expect(run.metrics.durationSummary.completedAtUTC).toBeGreaterThanOrEqual(
          run.metrics.durationSummary.startedAtUTC,
        );
        expect(run.activities.map((a: { id: string }) => a.id)).toEqual(["copyActivity", "promotionActivity"]);
        expect(run.activities[0]).toMatchObject({
          durationSummary: { extensions: { windowStart: 0, windowEnd: startTime * 1000 } },
          recordSummary: { inputRecordCount: 12, outputRecordCount: 12 },
          statusSummary: { status: "success" },
          extensions: { pages: 4, requests: 4, retries: 0, stopReason: "empty-page" },
        });
        expect(run.activities[1]).toMatchObject({
          statusSummary: { status: "success", errors: [], sampleErrors: [] },
          targetInfo: [
            {
              id: workflow.targetConnectionId,
              type: "TargetConnection",
              reference: { type: "Batch", ids: [run.execution.batchId] },
            },
          ],
        });
        expect(run.execution.batchId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
        const flow = (await api.ok("GET", `/flows/${id}`)).body.items[0];
        expect(flow.lastRunDetails).toEqual({
          id: run.id,
          state: "success",
          startedAtUTC: run.metrics.durationSummary.startedAtUTC,
          completedAtUTC: run.metrics.durationSummary.completedAtUTC,
        });
        // The list filter is exact: only this flow's runs.
        const others = await api.ok("GET", `/runs?property=flowId!=${id}`);
        expect(others.body.items.every((r: { flowId: string }) => r.flowId !== id)).toBe(true);
        expect((await api.ok("GET", `/runs?property=flowId==${id}&count=true`)).body).toEqual({ count: 1 });
      });

      it("POST /runs: only for once flows (1428), valid windows, known and enabled flows", async () => {
        const now = Math.floor(Date.now() / 1000);
        const hourly = await createFlow(api, { ...workflow, flowBody: body() });
        const params = { windowStartTime: now - 600, windowEndTime: now };
        await expectError(await api.call("POST", "/runs", { flowId: hourly, params }), 400, "1428");
        await expectError(
          await api.call("POST", "/runs", { flowId: "00000000-0000-4000-8000-000000000000", params }),
          400,
          "1430",
        );
        const onceFlow = await createFlow(api, {
          ...workflow,
          flowBody: { ...body(), scheduleParams: { startTime: future(), frequency: "once" } },
        });
        const backwards = await api.call("POST", "/runs", {
          flowId: onceFlow,
          params: { windowStartTime: now, windowEndTime: now - 1 },
        });
        await expectError(backwards, 400, "1400");
        await expectError(
          await api.call("POST", "/runs", {
            flowId: onceFlow,
            params: { windowStartTime: "yesterday", windowEndTime: now },
          }),
          400,
          "1400",
        );
        await expectError(await api.call("POST", "/runs", { flowId: onceFlow }), 400, "1400");

        const started = await api.call("POST", "/runs", {
          flowId: onceFlow,
          params: { windowStartTime: String(now - 7200), windowEndTime: now },
        });
        expect(started.status, JSON.stringify(started.body)).toBe(201);
        expect(started.headers.get("location")).toBe(`/data/foundation/flowservice/runs/${started.body.id}`);
        const [run] = await waitForRuns(api, onceFlow, 1);
        expect(run).toMatchObject({ id: started.body.id, state: "success", execution: { trigger: "onDemand" } });
        expect(run.execution.window).toEqual({ start: (now - 7200) * 1000, end: now * 1000, backfill: false });
        expect(run.providerRefId).toBe(`M-${onceFlow}-ondemand-0:${run.id}`);
        // Milliseconds (13 digits) are read as such.
        const ms = await api.call("POST", "/runs", {
          flowId: onceFlow,
          params: { windowStartTime: (now - 60) * 1000, windowEndTime: now * 1000 },
        });
        expect(ms.status).toBe(201);
        const runs = await waitForRuns(api, onceFlow, 2);
        expect(runs.find((r) => r.id === ms.body.id).execution.window).toEqual({
          start: (now - 60) * 1000,
          end: now * 1000,
          backfill: false,
        });

        await api.ok("POST", `/flows/${onceFlow}/action?op=disable`, undefined, 200);
        await expectError(await api.call("POST", "/runs", { flowId: onceFlow, params }), 400, "1416");
      });
    });

    describe("isolation", () => {
      it("keeps flows and runs to their org and sandbox", async () => {
        const startTime = Math.floor((Date.now() - hour) / 1000);
        const id = await createFlow(api, {
          ...workflow,
          flowBody: { ...body(), scheduleParams: { startTime, frequency: "once" } },
        });
        const [run] = await waitForRuns(api, id, 1);
        expect(terminal(run)).toBe(true);

        await server.server.store.createSandbox(server.admin.orgId, "dev");
        const dev = api.as(server.admin, "dev");
        const stranger = api.as(await server.issueToken("OTHER@AdobeOrg", "admin"));
        for (const other of [dev, stranger]) {
          await expectError(await other.call("GET", `/flows/${id}`), 404, "1101");
          await expectError(await other.call("GET", `/runs/${run.id}`), 404, "1101");
          expect((await other.ok("GET", "/flows")).body.items).toEqual([]);
          expect((await other.ok("GET", `/runs?property=flowId==${id}`)).body.items).toEqual([]);
          expect((await other.ok("GET", "/runs")).body.items).toEqual([]);
          await expectError(
            await other.call("PATCH", `/flows/${id}`, [{ op: "replace", path: "/name", value: "x" }], {
              "if-match": "*",
            }),
            404,
            "1101",
          );
          await expectError(await other.call("POST", `/flows/${id}/action?op=disable`), 404, "1101");
          await expectError(await other.call("DELETE", `/flows/${id}`), 404, "1101");
          await expectError(
            await other.call("POST", "/runs", { flowId: id, params: { windowStartTime: 0, windowEndTime: 1 } }),
            400,
            "1430",
          );
          // Another sandbox's connections cannot be used either.
          const borrowed = await other.call("POST", "/flows", body());
          await expectError(borrowed, 400, "1400");
        }
        expect((await api.ok("GET", `/flows/${id}`)).body.items[0].state).toBe("enabled");
      });
    });
  });
}

function headersOf(api: FlowApi): Record<string, string> {
  return {
    authorization: `Bearer ${api.token.accessToken}`,
    "x-api-key": api.token.apiKey,
    "x-gw-ims-org-id": api.token.orgId,
  };
}
