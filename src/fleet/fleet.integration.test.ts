/**
 * The fleet in one test process: `startServer` in fleet mode (API + leader-elected scheduler) and
 * `startWorker`s, on a fresh PostgreSQL database. The cluster test (test/cluster) does the same with
 * real processes and SIGKILL; this suite checks the pieces `npm test` can afford: a run goes
 * through the queue into a PostgreSQL dataset, the connection's `limits` are kept, a stopped worker
 * releases its run for another, and the API process runs nothing itself.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountsSpec } from "../../test/cluster/accounts-api.ts";
import { type FreshDatabase, freshDatabase, postgresServerUrl } from "../../test/cluster/fresh-database.ts";
import { startWindowedApi, type WindowedApi, windowedMappings, windowedSchema } from "../../test/support/flows-apis.ts";
import { dataLakeSpecId, FlowApi, fastHttp, registerSpec } from "../../test/support/flows-workflow.ts";
import { parseConfig } from "../config.ts";
import { runPostgresDatasetQuery } from "../datasets/postgres/postgres-query.ts";
import { silentRunLog } from "../flows/index.ts";
import { type RunningServer, startServer } from "../runtime/start-server.ts";
import { issueToken } from "../tenancy/tokens.ts";
import { type RunningWorker, startWorker } from "./start-worker.ts";

const server = postgresServerUrl();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// biome-ignore lint/suspicious/noExplicitAny: runs are inspected freely
async function runsOf(api: FlowApi, flowId: string): Promise<any[]> {
  return (await api.ok("GET", `/runs?property=flowId==${flowId}&limit=100`)).body.items;
}

describe.skipIf(server === undefined)("the fleet in process", () => {
  let db: FreshDatabase;
  let dataDir: string;
  let serve: RunningServer;
  let upstream: WindowedApi;
  let api: FlowApi;
  const workers: RunningWorker[] = [];
  const env = () => ({
    INLET_RUN_MODE: "fleet",
    INLET_DATABASE_URL: db.url,
    INLET_MASTER_KEY: Buffer.alloc(32, 7).toString("base64"),
    INLET_FLEET_HEARTBEAT_MS: "200",
    INLET_FLEET_STALE_MS: "1500",
    INLET_SHUTDOWN_GRACE_MS: "50",
    INLET_RUN_POLL_MS: "300",
  });
  const worker = async () => {
    const started = await startWorker(parseConfig({ dataDir }, env()), { log: silentRunLog, http: fastHttp });
    workers.push(started);
    return started;
  };
  const now = Date.now();
  const startTime = Math.floor((now - 3_600_000 - 30_000) / 1000);
  const records = Array.from({ length: 60 }, (_, i) => ({ id: i + 1, updated: now - 3_500_000 + i * 55_000 }));

  beforeAll(async () => {
    db = await freshDatabase(server as string);
    dataDir = await mkdtemp(path.join(tmpdir(), "inlet-fleet-"));
    upstream = await startWindowedApi({ records, delayMs: 60 });
    serve = await startServer({ ...parseConfig({ dataDir, port: 0 }, env()) }, { logging: false });
    api = new FlowApi(serve.url, await issueToken(serve.store, "FLEET@AdobeOrg", "admin"));
  });
  afterAll(async () => {
    for (const w of workers) await w.close().catch(() => undefined);
    await serve?.close();
    await upstream?.close();
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function createFlow(
    name: string,
    limits: Record<string, unknown>,
    pageSize: number,
  ): Promise<{ flowId: string; datasetId: string }> {
    const specId = await registerSpec(api, accountsSpec(upstream.url, name, pageSize, 5));
    const connectionSpec = { id: specId, version: "1.0" };
    const base = await api.ok("POST", "/connections", {
      name,
      connectionSpec,
      auth: { specName: "Basic Authentication", params: { username: "u", password: "p" } },
      limits,
    });
    expect(base.body.id).toBeTruthy();
    const stored = await api.ok("GET", `/connections/${base.body.id}`);
    expect(stored.body.items[0].limits).toEqual(limits);
    const source = await api.ok("POST", "/sourceConnections", {
      name,
      baseConnectionId: base.body.id,
      connectionSpec,
      data: { format: "json" },
      params: {},
    });
    const dataset = await api.ok("POST", "/data/foundation/catalog/dataSets", {
      name,
      schema: windowedSchema,
      sink: "postgres",
    });
    const datasetId = String(dataset.body[0]).replace("@/dataSets/", "");
    const target = await api.ok("POST", "/targetConnections", {
      name,
      connectionSpec: { id: dataLakeSpecId, version: "1.0" },
      data: { format: "parquet_xdm" },
      params: { dataSetId: datasetId },
    });
    const mapping = await api.ok("POST", "/data/foundation/conversion/mappingSets", {
      dataSetId: datasetId,
      mappings: windowedMappings,
    });
    const flow = await api.ok("POST", "/flows", {
      name,
      flowSpec: { id: "6499120c-0b15-42dc-936e-847ea3c24d72", version: "1.0" },
      sourceConnectionIds: [source.body.id],
      targetConnectionIds: [target.body.id],
      transformations: [{ name: "Mapping", params: { mappingId: mapping.body.id, mappingVersion: 0 } }],
      scheduleParams: { startTime: String(startTime), frequency: "minute", interval: 15, backfill: true },
    });
    return { flowId: flow.body.id, datasetId };
  }

  async function waitForWindows(flowId: string, count: number, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const runs = await runsOf(api, flowId);
      if (runs.length === count && runs.every((r) => r.state === "success" || r.state === "failed")) return runs;
      if (Date.now() > deadline) throw new Error(`runs: ${JSON.stringify(runs.map((r) => r.state))}`);
      await sleep(100);
    }
  }

  it("schedules on the API process and runs nothing there until a worker takes the jobs", async () => {
    const { flowId, datasetId } = await createFlow("fleet one", { maxConcurrentRuns: 1, requestsPerMinute: 6000 }, 4);
    await sleep(1_500);
    const waiting = await runsOf(api, flowId);
    expect(waiting).toHaveLength(1);
    expect(waiting[0].state).toBe("pending");
    await worker();
    // The backfill window and the four 15-minute windows since startTime.
    const runs = await waitForWindows(flowId, 5);
    expect(runs.map((r) => r.state)).toEqual(["success", "success", "success", "success", "success"]);
    const rows = await runPostgresDatasetQuery(
      db.url,
      `SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ds_${datasetId}`,
    );
    const expected = records.filter((r) => r.updated < startTime * 1000 + 4 * 900_000).length;
    expect(rows.rows[0]).toEqual({ n: expected, ids: expected });
  });

  it("releases a run in progress when its worker stops, and another worker finishes it", async () => {
    for (const w of workers.splice(0)) await w.close();
    const { flowId, datasetId } = await createFlow("fleet two", { maxConcurrentRuns: 1 }, 2);
    const first = await worker();
    let inProgress: { id: string } | undefined;
    for (let i = 0; i < 200 && !inProgress; i++) {
      inProgress = (await runsOf(api, flowId)).find((r) => r.state === "inProgress");
      if (!inProgress) await sleep(20);
    }
    expect(inProgress).toBeDefined();
    workers.splice(workers.indexOf(first), 1);
    await first.close();
    const released = (await runsOf(api, flowId)).find((r) => r.id === inProgress?.id);
    expect(released.state).toBe("pending");
    await worker();
    const runs = await waitForWindows(flowId, 5);
    expect(runs.every((r) => r.state === "success")).toBe(true);
    expect(runs.find((r) => r.id === inProgress?.id).execution.attempt).toBe(2);
    const rows = await runPostgresDatasetQuery(
      db.url,
      `SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ds_${datasetId}`,
    );
    expect(rows.rows[0]?.n).toBe(rows.rows[0]?.ids);
  });
});
