import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startWindowedApi,
  type WindowedApi,
  windowedMappings,
  windowedSchema,
  windowedSpec,
} from "../../test/support/flows-apis.ts";
import {
  byWindow,
  createFlow,
  FlowApi,
  fastRunner,
  prepareWorkflow,
  query,
  registerSpec,
  rowCount,
  waitForRuns,
} from "../../test/support/flows-workflow.ts";
import { startTestServer, type TestServer } from "../../test/support/server.ts";
import { storeBackends } from "../../test/support/stores.ts";

const minute = 60_000;
const hour = 60 * minute;

for (const backend of storeBackends()) {
  describe(`scheduled runs on ${backend.name}`, () => {
    let server: TestServer;
    let cleanup: () => Promise<void>;
    let api: FlowApi;
    let source: WindowedApi;
    let specId: string;
    // Two and a half hours ago, to the second: windows [0, T0), [T0, T0+1h), [T0+1h, T0+2h) are due,
    // the next one ends half an hour from now, far from any race with the test's own duration.
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 2.5 * hour;
    const records = [
      { id: 1, updated: t0 - 5 * hour, label: "backfill" },
      { id: 2, updated: t0 - 1, label: "backfill" },
      { id: 3, updated: t0, label: "first hour" },
      { id: 4, updated: t0 + 30 * minute, label: "first hour" },
      { id: 5, updated: t0 + hour - 1000, label: "first hour" },
      { id: 6, updated: t0 + hour, label: "second hour" },
      { id: 7, updated: t0 + 3 * hour + 30 * minute, label: "future" },
    ];

    beforeAll(async () => {
      const { target, cleanup: drop } = await backend.target();
      cleanup = drop;
      server = await startTestServer({ target, runner: fastRunner });
      api = new FlowApi(server.url, server.admin);
      source = await startWindowedApi({ records, password: "pw-windowed-1" });
      specId = await registerSpec(api, windowedSpec(source.url));
    });

    afterAll(async () => {
      await server?.close();
      await source?.close();
      await cleanup?.();
    });

    it("runs every due window once, in order, tiling time exactly, with exact counts", async () => {
      const workflow = await prepareWorkflow(api, {
        connectionSpecId: specId,
        auth: { specName: "Basic Authentication", params: { username: "u", password: "pw-windowed-1" } },
        schema: windowedSchema,
        mappings: windowedMappings,
        scheduleParams: { startTime: String(t0 / 1000), frequency: "hour", interval: "1", backfill: "true" },
      });
      const flowId = await createFlow(api, workflow);
      const runs = byWindow(await waitForRuns(api, flowId, 3));
      expect(runs).toHaveLength(3);
      expect(runs.map((run) => [run.execution.window.start, run.execution.window.end])).toEqual([
        [0, t0],
        [t0, t0 + hour],
        [t0 + hour, t0 + 2 * hour],
      ]);
      expect(
        runs.map((run) => run.state),
        JSON.stringify(runs[0].activities[1].statusSummary),
      ).toEqual(["success", "success", "success"]);
      expect(runs.map((run) => run.metrics.recordSummary.outputRecordCount)).toEqual([2, 3, 1]);
      expect(runs[0].execution.window.backfill).toBe(true);
      expect(runs[0].activities[0].durationSummary.extensions).toEqual({ windowStart: 0, windowEnd: t0 });
      // The API saw exactly the three windows (second precision in its query format).
      expect(source.windows()).toEqual([
        [0, t0],
        [t0, t0 + hour],
        [t0 + hour, t0 + 2 * hour],
      ]);
      expect(await rowCount(server.dataDir, workflow.datasetId)).toBe(6);
      const ids = await query(server.dataDir, `SELECT id FROM ds_${workflow.datasetId} ORDER BY id`);
      expect(ids.map((row) => row.id)).toEqual([1, 2, 3, 4, 5, 6]);

      const flow = (await api.ok("GET", `/flows/${flowId}`)).body.items[0];
      expect(flow.nextRunAt).toBe(t0 + 3 * hour);
      expect(flow.lastRunDetails).toMatchObject({ state: "success" });
      // Stored typed; shown with the Swagger's ScheduleSpecDTO types (interval is a string there).
      expect(flow.scheduleParams).toEqual({ startTime: t0 / 1000, frequency: "hour", interval: "1", backfill: true });
    });
  });
}
