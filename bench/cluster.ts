/**
 * `npm run bench:cluster`: the worker fleet on this machine. For 1, 2 and 4 `inlet worker`
 * processes (concurrency 2 each) against one `inlet serve` in fleet mode and a fresh PostgreSQL
 * database, it measures:
 *
 * - throughput: 24 flows on 12 accounts (2 runs at once per account, unpaced), each reading a
 *   backfill window and 8 incremental windows (216 runs, 432,000 records of 3 fields, pages of 500)
 *   into PostgreSQL datasets; records per second from the first run's start to the last run's end;
 * - queue latency: 20 further flows whose first window comes due while the cluster idles, two per
 *   second; latency = the run's start minus its scheduled time (the window's end), median and p99;
 * - database work per run, from pg_stat_database and the WAL position around the throughput phase
 *   (transactions, rows written per schema, WAL bytes), which docs/scaling.md turns into capacity.
 *
 * The imitation API runs in this process and competes for the same cores (2 here), so the figures
 * are a floor for a machine where the upstream is elsewhere. Needs INLET_TEST_DATABASE_URL (or
 * PostgreSQL on postgres://postgres@127.0.0.1:5432/postgres). `-- --workers 1,2` picks the counts,
 * `-- --scenario cpu|upstream` one of the two scenarios.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { StoreRunQueue } from "../src/flows/run-queue.ts";
import { dueWindows } from "../src/flows/schedule.ts";
import { openMetadataStore } from "../src/store/create-store.ts";
import { type AccountRecord, startAccountsApi } from "../test/cluster/accounts-api.ts";
import { freshDatabase } from "../test/cluster/fresh-database.ts";
import {
  type AccountPlan,
  adminApi,
  type ClusterEnv,
  createAccountFlows,
  type InletProcess,
  startServe,
  startWorkerProcess,
} from "../test/cluster/harness.ts";

const serverUrl = process.env.INLET_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const option = (name: string) => process.argv.find((_arg, i) => process.argv[i - 1] === name);
const workerCounts = (option("--workers") ?? "1,2,4").split(",").map(Number);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

interface RunRow {
  flowId: string;
  state: string;
  startedAt: number | null;
  completedAt: number | null;
  windowEnd: number;
  written: number;
}

async function runRows(client: pg.Client): Promise<RunRow[]> {
  const rows = await client.query<{ doc: string }>("SELECT doc FROM resources WHERE kind = 'runs'");
  return rows.rows.map((row) => {
    const doc = JSON.parse(row.doc);
    return {
      flowId: doc.flowId,
      state: doc.state,
      startedAt: doc.execution?.startedAt ?? null,
      completedAt: doc.execution?.completedAt ?? null,
      windowEnd: doc.execution?.window?.end ?? 0,
      written: doc.metrics?.recordSummary?.outputRecordCount ?? 0,
    };
  });
}

async function waitForRuns(client: pg.Client, flowIds: Set<string>, expected: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = (await runRows(client)).filter((r) => flowIds.has(r.flowId));
    const done = runs.filter((r) => r.state === "success" || r.state === "failed");
    if (runs.length >= expected && done.length === runs.length) return done;
    if (Date.now() > deadline) throw new Error(`${done.length}/${expected} runs finished in time`);
    await sleep(250);
  }
}

interface DbStats {
  xacts: number;
  wal: string;
  rows: Record<string, number>;
}

async function dbStats(client: pg.Client): Promise<DbStats> {
  const xacts = await client.query<{ n: string }>(
    "SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()",
  );
  const wal = await client.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
  const tables = await client.query<{ schema: string; n: string }>(
    `SELECT schemaname AS schema, sum(n_tup_ins + n_tup_upd + n_tup_del)::text AS n
     FROM pg_stat_user_tables GROUP BY schemaname`,
  );
  return {
    xacts: Number(xacts.rows[0]?.n ?? 0),
    wal: wal.rows[0]?.lsn ?? "0/0",
    rows: Object.fromEntries(tables.rows.map((r) => [r.schema, Number(r.n)])),
  };
}

async function walBytes(client: pg.Client, from: string, to: string): Promise<number> {
  const result = await client.query<{ n: string }>("SELECT pg_wal_lsn_diff($2::pg_lsn, $1::pg_lsn)::text AS n", [
    from,
    to,
  ]);
  return Number(result.rows[0]?.n ?? 0);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

interface Scenario {
  readonly name: string;
  /** How long the imitation API takes per page (real APIs: 100 ms and more). */
  readonly pageDelayMs: number;
  /** Whether to measure the queue latency in this scenario too. */
  readonly latency: boolean;
}

const scenarios: Scenario[] = [
  { name: "local API (CPU-bound)", pageDelayMs: 0, latency: true },
  { name: "API answering in 100 ms", pageDelayMs: 100, latency: false },
].filter((_scenario, index) => {
  const only = option("--scenario");
  return only === undefined || only === ["cpu", "upstream"][index];
});

async function round(workers: number, scenario: Scenario) {
  const db = await freshDatabase(serverUrl, "inlet_bench");
  const dir = await mkdtemp(path.join(tmpdir(), "inlet-bench-cluster-"));
  await mkdir(path.join(dir, "logs"));
  const cluster: ClusterEnv = {
    databaseUrl: db.url,
    dataDir: path.join(dir, "data"),
    logDir: path.join(dir, "logs"),
    env: { INLET_LOG_LEVEL: "warn", INLET_RUN_POLL_MS: "5000" },
  };
  const now = Date.now();
  const startTime = Math.floor((now - 2 * 3_600_000 - 30_000) / 1000);
  const schedule = { startTime, frequency: "minute" as const, interval: 15, backfill: true };
  const windows = dueWindows(schedule, null, now);
  const first = startTime * 1000 - 3_600_000;
  // 18,000 records over three hours: 6,000 in the backfill window, 1,500 in each 15-minute window.
  const records: AccountRecord[] = Array.from({ length: 18_000 }, (_, i) => ({
    id: i + 1,
    updated: first + i * 600,
    label: `record ${i + 1}`,
  }));
  // The latency flows read ten records each: their runs are short, so the latency is the queue's.
  const few = records.slice(0, 10);
  const api = await startAccountsApi({
    records: (account) => (account.startsWith("late") ? few : records),
    pageDelayMs: scenario.pageDelayMs,
  });
  const processes: InletProcess[] = [];
  const client = new pg.Client({ connectionString: db.url });
  try {
    const serve = await startServe(cluster);
    processes.push(serve);
    for (let i = 0; i < workers; i++) processes.push(await startWorkerProcess(cluster, `worker-${i}`, 2));
    await client.connect();
    const admin = await adminApi(cluster, serve.id);
    const plans: AccountPlan[] = Array.from({ length: 12 }, (_, i) => ({
      name: `account${i}`,
      flows: 2,
      maxConcurrentRuns: 2,
      sink: "postgres",
      pageSize: 500,
    }));
    const before = await dbStats(client);
    const t0 = Date.now();
    const flows = await createAccountFlows(admin, api.url, plans, () => ({
      ...schedule,
      startTime: String(startTime),
    }));
    const ids = new Set(flows.map((f) => f.flowId));
    const runs = await waitForRuns(client, ids, flows.length * windows.length, 600_000);
    const wall = Date.now() - t0;
    const after = await dbStats(client);
    const started = Math.min(...runs.map((r) => r.startedAt ?? Number.POSITIVE_INFINITY));
    const ended = Math.max(...runs.map((r) => r.completedAt ?? 0));
    const written = runs.reduce((sum, r) => sum + r.written, 0);
    const failed = runs.filter((r) => r.state !== "success").length;
    const wal = await walBytes(client, before.wal, after.wal);
    const connections = await client.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = current_database()",
    );

    // How busy the fleet was: runs in flight on average, and the wait between a flow's run and its next.
    const busy = runs.reduce((sum, r) => sum + ((r.completedAt ?? 0) - (r.startedAt ?? 0)), 0);
    const gaps: number[] = [];
    for (const flowId of ids) {
      const mine = runs.filter((r) => r.flowId === flowId).sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0));
      for (let i = 1; i < mine.length; i++) gaps.push((mine[i]?.startedAt ?? 0) - (mine[i - 1]?.completedAt ?? 0));
    }
    const throughput = {
      scenario: scenario.name,
      workers,
      runs: runs.length,
      failed,
      records: written,
      recordsPerSecond: (written * 1000) / (ended - started),
      wallSeconds: wall / 1000,
      runSeconds: (ended - started) / 1000,
      perRun: {
        transactions: (after.xacts - before.xacts) / runs.length,
        rowsWritten: Object.fromEntries(
          Object.entries(after.rows).map(([schema, n]) => [schema, (n - (before.rows[schema] ?? 0)) / runs.length]),
        ),
        walBytes: wal / runs.length,
      },
      connections: Number(connections.rows[0]?.n ?? 0),
      runsInFlight: busy / (ended - started),
      nextWindowGapP50: percentile(gaps, 50),
      nextWindowGapP99: percentile(gaps, 99),
    };
    if (!scenario.latency)
      return {
        ...throughput,
        latencyP50: Number.NaN,
        latencyP99: Number.NaN,
        schedulerPassMs: Number.NaN,
        schedulerFlows: 0,
      };
    // Queue latency: 20 flows whose first window comes due two per second, while the cluster idles.
    const due = Math.ceil(Date.now() / 1000) + 15;
    const latencyPlans: AccountPlan[] = Array.from({ length: 10 }, (_, i) => ({
      name: `late${i}`,
      flows: 2,
      maxConcurrentRuns: 2,
      sink: "postgres",
      pageSize: 500,
    }));
    const latencyFlows = await createAccountFlows(admin, api.url, latencyPlans, (account, index) => ({
      startTime: String(due + Math.floor((latencyPlans.findIndex((p) => p.name === account) * 2 + index) / 2)),
      frequency: "minute",
      interval: 15,
      backfill: true,
    }));
    const latencyRuns = await waitForRuns(
      client,
      new Set(latencyFlows.map((f) => f.flowId)),
      latencyFlows.length,
      120_000,
    );
    const latencies = latencyRuns.map((r) => (r.startedAt ?? 0) - r.windowEnd);
    // The leader's pass reads every flow: time it here, idle, over all 44 flows.
    const store = await openMetadataStore({ kind: "postgres", url: db.url });
    const scheduler = new StoreRunQueue({ store, now: Date.now, staleAfterMs: 30_000, recoverOnStart: false });
    await scheduler.advanceAll();
    const passes = 20;
    const passStart = performance.now();
    for (let i = 0; i < passes; i++) await scheduler.advanceAll();
    const passMs = (performance.now() - passStart) / passes;
    await store.close();
    return {
      ...throughput,
      latencyP50: percentile(latencies, 50),
      latencyP99: percentile(latencies, 99),
      schedulerPassMs: passMs,
      schedulerFlows: flows.length + latencyFlows.length,
    };
  } finally {
    await client.end().catch(() => undefined);
    await Promise.all(processes.map((p) => p.stop(15_000).catch(() => undefined)));
    await api.close();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const scenario of scenarios) {
  for (const workers of workerCounts) {
    const result = await round(workers, scenario);
    results.push(result);
    process.stderr.write(`${JSON.stringify(result)}\n`);
  }
}
console.log(
  "\nscenario                  workers  runs  records   records/s  run time  queue latency p50 / p99   tx/run  WAL/run",
);
for (const r of results) {
  const latency = Number.isNaN(r.latencyP50)
    ? "".padStart(24)
    : `${fmt(r.latencyP50).padStart(8)} ms / ${fmt(r.latencyP99).padStart(5)} ms`;
  console.log(
    `${r.scenario.padEnd(24)}  ${String(r.workers).padStart(7)}  ${String(r.runs).padStart(4)}  ${fmt(r.records).padStart(7)}  ${fmt(r.recordsPerSecond).padStart(10)}  ${r.runSeconds.toFixed(1).padStart(7)} s  ${latency}   ${r.perRun.transactions.toFixed(0).padStart(6)}  ${fmt(r.perRun.walBytes / 1024).padStart(5)} KB`,
  );
}
const cpu = results.filter((r) => r.scenario === scenarios[0]?.name);
console.log("\nrows written per run by schema:", JSON.stringify(cpu.map((r) => [r.workers, r.perRun.rowsWritten])));
console.log("connections to the database during the run:", JSON.stringify(cpu.map((r) => [r.workers, r.connections])));
console.log(
  "scheduler pass (idle, all flows):",
  JSON.stringify(cpu.map((r) => [r.workers, `${r.schedulerPassMs.toFixed(1)} ms for ${r.schedulerFlows} flows`])),
);
