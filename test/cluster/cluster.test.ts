/**
 * The fleet end to end (`npm run test:cluster`): PostgreSQL, one `inlet serve` in fleet mode and
 * three `inlet worker` processes, thirty flows over an imitation API with three accounts (twenty
 * flows on one of them), two workers killed with SIGKILL in the middle of runs and restarted.
 *
 * It asserts that every window of every flow has exactly one successful run, that every dataset
 * (PostgreSQL and Parquet) holds exactly the records of its windows, once, that no run is left
 * unfinished, and that no account ever saw more concurrent requests than its connection's limit,
 * nor a faster pace than its spec and connection allow.
 */
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runQuery } from "../../src/datasets/postgres/query-router.ts";
import { dueWindows } from "../../src/flows/schedule.ts";
import type { FlowApi } from "../support/flows-workflow.ts";
import { type AccountsApi, recordsBetween, startAccountsApi } from "./accounts-api.ts";
import { type FreshDatabase, freshDatabase } from "./fresh-database.ts";
import {
  type AccountPlan,
  adminApi,
  type ClusterEnv,
  createAccountFlows,
  type InletProcess,
  type PlannedFlow,
  runInlet,
  startServe,
  startWorkerProcess,
} from "./harness.ts";

const serverUrl = process.env.INLET_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const plans: AccountPlan[] = [
  // Twenty flows on one account: two runs at once, 20 ms between requests (the spec's delayRequestMillis).
  { name: "zendesk", flows: 20, maxConcurrentRuns: 2, delayRequestMillis: 20, sink: "postgres", pageSize: 10 },
  // One run at once (a graphile named queue), 1200 requests a minute (the connection's limit): 50 ms.
  { name: "mailchimp", flows: 6, maxConcurrentRuns: 1, requestsPerMinute: 1200, sink: "parquet", pageSize: 10 },
  // Three runs at once, unpaced.
  { name: "hubspot", flows: 4, maxConcurrentRuns: 3, sink: "parquet", pageSize: 10 },
];
const spacingOf = (plan: AccountPlan) =>
  Math.max(plan.delayRequestMillis ?? 0, plan.requestsPerMinute ? 60_000 / plan.requestsPerMinute : 0);

interface RunRow {
  id: string;
  flowId: string;
  state: string;
  owner: string | null;
  attempt: number;
  window: { start: number; end: number };
}

async function runRows(databaseUrl: string): Promise<RunRow[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = await client.query<{ id: string; doc: string }>("SELECT id, doc FROM resources WHERE kind = 'runs'");
    return rows.rows.map((row) => {
      const doc = JSON.parse(row.doc);
      return {
        id: row.id,
        flowId: doc.flowId,
        state: doc.state,
        owner: doc.execution?.owner ?? null,
        attempt: doc.execution?.attempt ?? 0,
        window: doc.execution?.window,
      };
    });
  } finally {
    await client.end();
  }
}

/** The most requests of one account that started within any `spanMs`. */
function busiestSpan(starts: readonly number[], spanMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let best = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while ((sorted[to] ?? 0) - (sorted[from] ?? 0) >= spanMs) from++;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

describe("cluster: one API, three workers, thirty flows, two workers killed mid-run", () => {
  let db: FreshDatabase;
  let dir: string;
  let cluster: ClusterEnv;
  let api: AccountsApi;
  const processes: InletProcess[] = [];

  beforeAll(async () => {
    db = await freshDatabase(serverUrl, "inlet_cluster");
    dir = await mkdtemp(path.join(tmpdir(), "inlet-cluster-"));
    await mkdir(path.join(dir, "logs"));
    cluster = {
      databaseUrl: db.url,
      dataDir: path.join(dir, "data"),
      logDir: path.join(dir, "logs"),
      env: {
        INLET_LOG_LEVEL: "warn",
        INLET_RUN_POLL_MS: "1000",
        INLET_FLEET_HEARTBEAT_MS: "500",
        INLET_FLEET_STALE_MS: "3000",
        INLET_LEADER_RETRY_MS: "2000",
        INLET_SHUTDOWN_GRACE_MS: "3000",
      },
    };
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop(5_000).catch(() => undefined)));
    await api?.close();
    await db?.drop();
    if (process.env.INLET_KEEP_CLUSTER_LOGS) console.log(`cluster logs kept in ${cluster.logDir}`);
    else await rm(dir, { recursive: true, force: true });
  });

  it("runs every window once, loses and duplicates nothing, and keeps every account's limits", async () => {
    const started = Date.now();
    const startTime = Math.floor((started - 2 * 3_600_000 - 30_000) / 1000);
    const schedule = { startTime, frequency: "minute" as const, interval: 15, backfill: true };
    const windows = dueWindows(schedule, null, started);
    const lastEnd = windows.at(-1)?.end ?? 0;
    const records = recordsBetween(startTime * 1000 - 3_600_000, 30_000, 400);
    const expectedRows = records.filter((r) => r.updated < lastEnd).length;
    api = await startAccountsApi({ records: () => records, pageDelayMs: 25 });

    const serve = await startServe(cluster);
    processes.push(serve);
    const admin: FlowApi = await adminApi(cluster, serve.id);
    const workers: InletProcess[] = [];
    for (let i = 0; i < 3; i++) workers.push(await startWorkerProcess(cluster, `worker-${i}`, 2));
    processes.push(...workers);

    const flows: PlannedFlow[] = await createAccountFlows(admin, api.url, plans, () => ({
      ...schedule,
      startTime: String(schedule.startTime),
    }));
    expect(flows).toHaveLength(30);
    const setupDone = Date.now();

    // Kill two workers while each holds a run in progress, once the fleet is well under way.
    const victims = workers.slice(0, 2);
    let killedAt = 0;
    for (;;) {
      const runs = await runRows(db.url);
      const succeeded = runs.filter((r) => r.state === "success").length;
      const busy = victims.every((w) => runs.some((r) => r.state === "inProgress" && r.owner === w.id));
      if (succeeded >= 40 && busy) break;
      if (Date.now() - setupDone > 120_000) throw new Error(`no moment to kill workers (${succeeded} runs done)`);
      await sleep(50);
    }
    for (const victim of victims) await victim.kill();
    killedAt = Date.now();
    // The runs the dead workers left in progress (one may have finished just before its worker died).
    const heldByVictims = (await runRows(db.url)).filter(
      (r) => r.state === "inProgress" && victims.some((w) => w.id === r.owner),
    );
    expect(heldByVictims.length).toBeGreaterThan(0);
    await sleep(1_500);
    for (let i = 0; i < 2; i++) {
      const restarted = await startWorkerProcess(cluster, `worker-${i}-restarted`, 2);
      processes.push(restarted);
      workers.push(restarted);
    }

    // Wait for every window of every flow to have finished.
    const total = flows.length * windows.length;
    let runs: RunRow[] = [];
    for (;;) {
      runs = await runRows(db.url);
      const finished = runs.filter((r) => r.state === "success" || r.state === "failed").length;
      if (runs.length === total && finished === total) break;
      if (Date.now() - killedAt > 180_000) {
        throw new Error(`only ${finished} of ${total} runs finished (${runs.length} exist); logs in ${cluster.logDir}`);
      }
      await sleep(200);
    }
    const finishedAt = Date.now();

    // 1. Every window of every flow has exactly one successful run (through the API).
    for (const flow of flows) {
      const reply = await admin.ok("GET", `/runs?property=flowId==${flow.flowId}&limit=100`);
      const flowRuns = reply.body.items as Array<{
        state: string;
        execution: { window: { start: number; end: number } };
      }>;
      const byWindow = [...flowRuns].sort((a, b) => a.execution.window.start - b.execution.window.start);
      expect(byWindow.map((r) => [r.execution.window.start, r.execution.window.end])).toEqual(
        windows.map((w) => [w.start, w.end]),
      );
      expect(byWindow.map((r) => r.state)).toEqual(windows.map(() => "success"));
    }

    // 3. No run is left in progress (or pending).
    expect(runs.filter((r) => r.state !== "success")).toEqual([]);
    // The killed workers' runs were taken over by others and read again.
    for (const held of heldByVictims) {
      const now = runs.find((r) => r.id === held.id);
      expect(now?.state).toBe("success");
      expect(now?.attempt).toBeGreaterThanOrEqual(2);
      expect(victims.map((v) => v.id)).not.toContain(now?.owner);
    }

    // 2. Row counts are exact in every dataset, PostgreSQL and Parquet alike: nothing lost, nothing twice.
    const targets = { dataDir: cluster.dataDir, datasetDatabaseUrl: db.url };
    for (const flow of flows) {
      const result = await runQuery(
        targets,
        `SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ds_${flow.datasetId}`,
      );
      expect(result.engine).toBe(flow.sink === "postgres" ? "postgres" : "duckdb");
      expect(result.rows[0], `dataset ${flow.datasetId} (${flow.account})`).toEqual({
        n: expectedRows,
        ids: expectedRows,
      });
    }
    // And `inlet query` answers on both kinds.
    for (const sink of ["postgres", "parquet"] as const) {
      const flow = flows.find((f) => f.sink === sink) as PlannedFlow;
      const out = await runInlet(cluster, ["query", "--json", `SELECT count(*) AS n FROM ds_${flow.datasetId}`]);
      expect(JSON.parse(out)).toEqual([{ n: expectedRows }]);
    }

    // 4. No account saw more concurrent requests than its limit, nor a faster pace than allowed.
    const paces: Record<string, unknown> = {};
    for (const plan of plans) {
      const stats = api.accounts.get(plan.name);
      expect(stats, plan.name).toBeDefined();
      expect(stats?.peakInFlight, `${plan.name} concurrent requests`).toBeLessThanOrEqual(plan.maxConcurrentRuns);
      const spacing = spacingOf(plan);
      const starts = stats?.starts ?? [];
      const sorted = [...starts].sort((a, b) => a - b);
      const gaps = sorted.slice(1).map((t, i) => t - (sorted[i] ?? t));
      paces[plan.name] = {
        requests: stats?.requests,
        peakInFlight: stats?.peakInFlight,
        spacingMs: spacing,
        minGapMs: Math.round(Math.min(...gaps)),
        busiestSecond: busiestSpan(starts, 1_000),
      };
      if (spacing > 0) {
        // Slots are exactly `spacing` apart in PostgreSQL's time; a request's start can lag its slot by
        // the answer's travel and the event loop (a few ms), so allow one request of noise per second.
        expect(busiestSpan(starts, 1_000), `${plan.name} requests in any second`).toBeLessThanOrEqual(
          Math.floor(1_000 / spacing) + 2,
        );
      }
    }

    // Clean shutdown: SIGTERM lets the workers and the API end with code 0.
    const codes = await Promise.all(processes.filter((p) => !victims.includes(p)).map((p) => p.stop(20_000)));
    expect(codes).toEqual(codes.map(() => 0));

    const summary = {
      flows: flows.length,
      windowsPerFlow: windows.length,
      runs: runs.length,
      takenOver: runs.filter((r) => r.attempt >= 2).length,
      rowsPerDataset: expectedRows,
      setupSeconds: (setupDone - started) / 1000,
      runSeconds: (finishedAt - setupDone) / 1000,
      accounts: paces,
    };
    console.log(`cluster summary ${JSON.stringify(summary)}`);
    const serveLog = await readFile(serve.logFile, "utf8");
    expect(serveLog).not.toMatch(/"level":50/);
  }, 420_000);
});
