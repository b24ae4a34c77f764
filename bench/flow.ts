// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
/**
 * `npm run bench:flow`: one dataflow over 200,000 records (~1 KB each, pages of 1,000, from
 * bench/paged-server.ts in its own process) into a Parquet dataset, against the raw floor of the
 * engine benchmark (undici request + JSON.parse of the same pages, records discarded).
 *
 * The flow takes the real path, driven through the HTTP API exactly as a user would: `inlet verify`'s
 * workflow (src/verify) registers a connection spec, creates the base/source/target connections,
 * a dataset whose schema is inferred from explore's preview (one `items` object column holding
 * the 12 fields, as the spec's contentPath wraps each record), an identity mapping set and a
 * `once` flow; the embedded runner then reads with the engine and writes Parquet through the
 * dataset sink, and records the batch. The mapping being the identity, the run takes the engine's
 * JSON pages: each record's text, sliced from the validated response, goes to the sink, which
 * writes it as is when its byte-level check vouches that the parsed path (map, validate,
 * serialise) would write the same row, and hands it back to that path otherwise. Driving the executor directly would skip the scheduler, the store and
 * the API, so it would flatter the figure; going through the API costs a few ms of polling, which
 * is why both the run's own duration (from its metrics) and the wall time from POST /flows to the
 * terminal status are shown. Afterwards the rows are counted in the Parquet files with DuckDB.
 *
 * Floor, engine and flow each run in a fresh child process, so each peak RSS (`process.resourceUsage()
 * .maxRSS`) is its own; the flow child also samples RSS to tell the read phase from the commit.
 * "engine" is `readRecords` over the flow's own connection spec with the records discarded (cold,
 * like the flow): the parsed path's own ceiling. A flow on JSON pages does not parse, so it can
 * outrun that line; when it falls back to parsed records, it cannot.
 * The Parquet sink converts each staged part while the read goes on, so most of the Parquet work
 * falls inside the copy activity and the promotion activity is the last part plus the rename.
 * `-- --repeat N` keeps the fastest of N rounds (for a busy machine); `-- --records N` reads N
 * records instead of 200,000 (`--records 2000000` shows whether peak RSS stays flat).
 * bench/paged-server.ts is started as a process, not imported: importing it starts its server.
 * Goal: flow >= 0.6x the floor.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const self = fileURLToPath(import.meta.url);
/** bench/paged-server.ts serves pages of this size whatever `limit` says. */
const pageSize = 1000;

interface Measurement {
  readonly records: number;
  readonly ms: number;
  readonly peakRssMb: number;
  readonly [extra: string]: unknown;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const perSecond = (records: number, ms: number) => (records * 1000) / ms;

/** Starts a child and resolves with its first stdout line parsed as JSON; stderr passes through. */
function child(args: readonly string[]): { result: Promise<Record<string, unknown>>; kill(): void } {
  const proc = spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const result = new Promise<Record<string, unknown>>((resolve, reject) => {
    proc.once("error", reject);
    proc.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code} before answering`)));
    createInterface({ input: proc.stdout }).once("line", (line) =>
      resolve(JSON.parse(line) as Record<string, unknown>),
    );
  });
  return { result, kill: () => proc.kill() };
}

async function runChild(mode: "floor" | "engine" | "flow", url: string, total: number): Promise<Measurement> {
  const c = child([self, mode, url, String(total)]);
  return (await c.result) as unknown as Measurement;
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** CPU time of the whole process (every thread: JS, GC, libuv pool, DuckDB) since `from`, in ms. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

// --- child: floor ----------------------------------------------------------------------------

async function floorChild(url: string, count: number): Promise<void> {
  const { Agent, request } = await import("undici");
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  const pass = async (upTo: number) => {
    let records = 0;
    for (let offset = 0; ; offset += pageSize) {
      const res = await request(`${url}/items?limit=${pageSize}&offset=${offset}`, { dispatcher: agent });
      const body = JSON.parse(await res.body.text()) as { items: unknown[] };
      records += body.items.length;
      if (body.items.length < pageSize || records >= upTo) break;
    }
    return records;
  };
  await pass(20_000); // warm the connection and the JIT, as bench/engine.ts does
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const records = await pass(count);
  const ms = performance.now() - t0;
  const cpu = cpuMs(cpu0);
  await agent.close();
  process.stdout.write(`${JSON.stringify({ records, ms, cpuMs: cpu, peakRssMb: peakRssMb() })}\n`);
}

// --- child: engine ---------------------------------------------------------------------------

/** The engine alone on the flow's connection spec, records discarded: the flow's upper bound. */
async function engineChild(url: string, count: number): Promise<void> {
  const { readRecords } = await import("../src/engine/index.ts");
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let records = 0;
  const handle = readRecords({
    spec: benchConnectionSpec(),
    authSpecName: "API Key Authentication",
    auth: { host: url, authKey1: "bench" },
    params: {},
  });
  for await (const _record of handle) records += 1;
  const ms = performance.now() - t0;
  const cpu = cpuMs(cpu0);
  if (records !== count) throw new Error(`the engine read ${records} of ${count} records`);
  process.stdout.write(`${JSON.stringify({ records, ms, cpuMs: cpu, peakRssMb: peakRssMb() })}\n`);
}

// --- child: flow -----------------------------------------------------------------------------

function benchConnectionSpec(): Record<string, unknown> {
  const schema = "http://json-schema.org/draft-07/schema#";
  return {
    id: "b3c4d5e6-0000-4000-8000-00000000be7c",
    name: "Bench paged items",
    description: "bench/paged-server.ts: OFFSET pages of 1,000 records of about 1 KB",
    type: "generic-rest",
    providerId: "0ed90a81-07f4-4586-8190-b40eccef1c5a",
    version: "1.0",
    attributes: { uiAttributes: { apiFeatures: { explorePaginationSupported: false } } },
    authSpec: [
      {
        name: "API Key Authentication",
        type: "KeyBased",
        spec: {
          $schema: schema,
          type: "object",
          description: "The bench server ignores the key.",
          properties: {
            host: { type: "string", description: "Bench server URL" },
            authKey1: {
              type: "string",
              format: "password",
              title: "Key",
              restAttributes: { headerParamName: "x-bench-key" },
            },
          },
          required: ["host", "authKey1"],
        },
      },
    ],
    sourceSpec: {
      attributes: {
        uiAttributes: {
          isSource: true,
          isPreview: true,
          isBeta: true,
          category: { key: "protocols" },
          icon: { key: "benchIcon" },
          description: { key: "benchDescription" },
          label: { key: "benchLabel" },
        },
        urlParams: { host: "${host}", path: "/items", method: "GET" },
        contentPath: { path: "$.items", skipAttributes: ["total"], keepAttributes: [] },
        paginationParams: { type: "OFFSET", limitName: "limit", limitValue: String(pageSize), offSetName: "offset" },
      },
      spec: { $schema: schema, type: "object", description: "No inputs.", properties: {} },
    },
    exploreSpec: {
      name: "Resource",
      type: "Resource",
      requestSpec: { $schema: schema, type: "object" },
      responseSpec: { $schema: schema, type: "object" },
    },
  };
}

async function flowChild(url: string, count: number): Promise<void> {
  const { parseConfig } = await import("../src/config.ts");
  const { startServer } = await import("../src/runtime/start-server.ts");
  const { issueToken } = await import("../src/tenancy/tokens.ts");
  const { PlatformClient, runVerify } = await import("../src/verify/index.ts");
  const { datasetViewName, runDatasetQuery } = await import("../src/datasets/query.ts");

  const dataDir = await mkdtemp(join(tmpdir(), "inlet-bench-flow-"));
  try {
    const config = parseConfig({ dataDir, port: 0, databaseUrl: `sqlite:${join(dataDir, "inlet.sqlite")}` });
    const server = await startServer(config, { logging: false });
    try {
      const admin = await issueToken(server.store, "BENCH@AdobeOrg", "admin");
      const client = new PlatformClient({
        server: server.url,
        accessToken: admin.accessToken,
        apiKey: admin.apiKey,
        orgId: admin.orgId,
      });
      // RSS sampled every 20 ms, to tell the copy activity's peak from the promotion's.
      const rssSamples: Array<[at: number, mb: number]> = [];
      const sampler = setInterval(() => rssSamples.push([Date.now(), process.memoryUsage.rss() / 1024 ** 2]), 20);
      let flowPosted = 0;
      let runEnded = 0;
      let cpu0 = process.cpuUsage();
      let cpu = 0;
      let rssBeforeRunMb = 0;
      const result = await runVerify({
        client,
        spec: benchConnectionSpec(),
        authSpecName: "API Key Authentication",
        auth: { host: url, authKey1: "bench" },
        params: {},
        keep: true,
        // The polling client shares this process (and its JS thread) with the server running the flow:
        // at 20 ms its requests, routes and store queries took ~5 % of the run's JS thread (CPU profile,
        // 200k and 2M records). A UI polls from another process; 100 ms keeps the wall figure honest.
        pollIntervalMs: 100,
        timeoutMs: 600_000,
        namePrefix: "bench",
        onEvent: (event) => {
          if (event.type === "step-start" && event.name === "flow") {
            flowPosted = performance.now();
            cpu0 = process.cpuUsage();
            rssBeforeRunMb = process.memoryUsage.rss() / 1024 ** 2;
          }
          if (event.type === "step-end" && event.step.name === "run") {
            runEnded = performance.now();
            cpu = cpuMs(cpu0);
          }
        },
      });
      const peak = peakRssMb();
      clearInterval(sampler);
      if (!result.passed || !result.run || result.created.datasetId === undefined) {
        const failed = result.steps.find((s) => s.status === "failed");
        throw new Error(`the bench flow failed at ${failed?.name}: ${failed?.detail}`);
      }
      // The run's two activities split the time: copy (read, map, validate, stage, convert all but the
      // last part) and promotion (the last part's conversion, the rename into place).
      const [runDoc] = await client.listRuns(result.created.flowId as string);
      const activity = (id: string) => {
        const activities = Array.isArray(runDoc?.activities)
          ? (runDoc.activities as Array<Record<string, unknown>>)
          : [];
        const d = activities.find((a) => a.id === id)?.durationSummary as Record<string, number> | undefined;
        return { start: Number(d?.startedAtUTC), end: Number(d?.completedAtUTC) };
      };
      const span = (id: string) => activity(id).end - activity(id).start;
      // The samples inside the span, and the last one before it: a span shorter than the sampling
      // interval still shows the RSS it ran at.
      const peakBetween = (from: number, to: number) => {
        const before = rssSamples.filter(([at]) => at < from).at(-1);
        const inside = rssSamples.filter(([at]) => at >= from && at <= to);
        return Math.max(0, ...[...(before ? [before] : []), ...inside].map(([, mb]) => mb));
      };
      const view = datasetViewName(result.created.datasetId);
      const counted = await runDatasetQuery(dataDir, `SELECT count(*) AS n FROM ${view}`);
      const written = result.run.recordsWritten ?? 0;
      if (written !== count || Number(counted.rows[0]?.n) !== count) {
        throw new Error(
          `expected ${count} records, the run wrote ${written} and Parquet holds ${String(counted.rows[0]?.n)}`,
        );
      }
      process.stdout.write(
        `${JSON.stringify({
          records: written,
          ms: result.run.durationMs ?? runEnded - flowPosted,
          wallMs: runEnded - flowPosted,
          cpuMs: cpu,
          copyMs: span("copyActivity"),
          promotionMs: span("promotionActivity"),
          copyPeakRssMb: peakBetween(activity("copyActivity").start, activity("copyActivity").end),
          // Peak RSS in each tenth of the copy activity: flat when memory is bounded by a page, not the read.
          copyRssTenthsMb: Array.from({ length: 10 }, (_, k) => {
            const { start, end } = activity("copyActivity");
            const step = (end - start) / 10;
            return Math.round(peakBetween(start + k * step, start + (k + 1) * step));
          }),
          promotionPeakRssMb: peakBetween(activity("promotionActivity").start, activity("promotionActivity").end),
          peakRssMb: peak,
          rssBeforeRunMb,
          stopReason: result.run.stopReason,
          batch: result.run.batchIds[0],
          parquetRows: Number(counted.rows[0]?.n),
        })}\n`,
      );
    } finally {
      await server.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

// --- parent ----------------------------------------------------------------------------------

/** The fastest of `repeat` rounds (floor, engine, flow in turn), which filters out a busy machine's noise. */
async function parent(repeat: number, total: number): Promise<void> {
  const upstream = child([join(root, "bench/paged-server.ts"), String(total)]);
  try {
    const { port } = (await upstream.result) as { port: number };
    const url = `http://127.0.0.1:${port}`;
    let floor: Measurement | undefined;
    let engine: Measurement | undefined;
    let flow: Measurement | undefined;
    for (let i = 0; i < repeat; i += 1) {
      const f = await runChild("floor", url, total);
      const e = await runChild("engine", url, total);
      const g = await runChild("flow", url, total);
      if (!floor || f.ms < floor.ms) floor = f;
      if (!engine || e.ms < engine.ms) engine = e;
      if (!flow || g.ms < flow.ms) flow = g;
    }
    if (!floor || !engine || !flow) throw new Error("--repeat must be at least 1");
    if (floor.records !== total) throw new Error(`the floor read ${floor.records} of ${total} records`);
    const floorRate = perSecond(floor.records, floor.ms);
    const engineRate = perSecond(engine.records, engine.ms);
    const flowRate = perSecond(flow.records, flow.ms);
    const wallRate = perSecond(flow.records, Number(flow.wallMs));
    const copyMs = Number(flow.copyMs);
    const promotionMs = Number(flow.promotionMs);
    const lines = [
      `${fmt(total)} records of ~1 KB, pages of ${pageSize}; floor, engine and flow each in a fresh child process` +
        `${repeat > 1 ? `; the fastest of ${repeat} runs each` : ""}:`,
      `  floor  (undici + JSON.parse):              ${fmt(floorRate)} records/s (${(floor.ms / 1000).toFixed(2)} s, CPU ${cpuText(floor)}), peak RSS ${floor.peakRssMb.toFixed(0)} MB`,
      `  engine (readRecords, records discarded):   ${fmt(engineRate)} records/s (${(engine.ms / 1000).toFixed(2)} s, CPU ${cpuText(engine)}), peak RSS ${engine.peakRssMb.toFixed(0)} MB = ${(engineRate / floorRate).toFixed(2)}x the floor`,
      `  flow   (API → engine → mapping → Parquet): ${fmt(flowRate)} records/s (run ${(flow.ms / 1000).toFixed(2)} s per its metrics), ` +
        `peak RSS ${flow.peakRssMb.toFixed(0)} MB (server, store, engine, sink and DuckDB in one process; ${Number(flow.rssBeforeRunMb).toFixed(0)} MB when the flow was posted)`,
      `    wall from POST /flows to success: ${(Number(flow.wallMs) / 1000).toFixed(2)} s = ${fmt(wallRate)} records/s, CPU ${cpuText(flow)} (all threads)`,
      `    copy activity (read, map, validate, stage, convert parts): ${(copyMs / 1000).toFixed(2)} s = ${fmt(perSecond(flow.records, copyMs))} records/s, RSS up to ${Number(flow.copyPeakRssMb).toFixed(0)} MB`,
      `      RSS peak per tenth of the copy activity, MB: ${(flow.copyRssTenthsMb as number[]).join(" ")}`,
      `    promotion activity (last part → Parquet, rename):         ${(promotionMs / 1000).toFixed(2)} s, RSS up to ${Number(flow.promotionPeakRssMb).toFixed(0)} MB`,
      `    ${fmt(Number(flow.parquetRows))} rows in the Parquet dataset; engine stop reason ${String(flow.stopReason)}; batch ${String(flow.batch)}`,
      `  ratio flow/floor: ${(flowRate / floorRate).toFixed(2)} (wall: ${(wallRate / floorRate).toFixed(2)}; goal >= 0.60); ` +
        `flow/engine: ${(flowRate / engineRate).toFixed(2)}`,
    ];
    console.log(lines.join("\n"));
  } finally {
    upstream.kill();
  }
}

const cpuText = (m: Measurement) => `${(Number(m.cpuMs) / 1000).toFixed(2)} s`;

function intOption(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a positive integer`);
  return value;
}

const [mode, url, count] = process.argv.slice(2);
if (mode === "floor") await floorChild(url as string, Number(count));
else if (mode === "engine") await engineChild(url as string, Number(count));
else if (mode === "flow") await flowChild(url as string, Number(count));
else {
  // `npm run bench:flow -- --repeat 3 --records 2000000` on a shared machine.
  await parent(intOption("--repeat", 1), intOption("--records", 200_000));
}
