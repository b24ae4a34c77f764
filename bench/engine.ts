/**
 * `npm run bench:engine`: engine throughput against the raw floor, and memory at scale.
 * 1. 200,000 records (~1 KB) in pages of 1,000 from a local server in its own process:
 *    the floor (undici request + JSON.parse, records discarded, in this process) and
 *    `inlet read --out FILE` (the real CLI as a child process); records/s, ratio, peak RSS.
 * 2. 2,000,000 records through `inlet read` to show peak RSS stays flat.
 * Goals: engine >= 0.8x floor; peak RSS < 200 MB at 2,000,000 records.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Agent, request } from "undici";
import { pageSize } from "./paged-server.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsxImport = ["--import", "tsx"];

interface Server {
  readonly url: string;
  stop(): void;
}

async function startServer(total: number): Promise<Server> {
  const child = spawn(process.execPath, [...tsxImport, join(root, "bench/paged-server.ts"), String(total)], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
    createInterface({ input: child.stdout as NonNullable<typeof child.stdout> }).once("line", resolve);
  });
  const { port } = JSON.parse(line) as { port: number };
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** The least any reader must do: fetch each page and parse it. */
async function floor(url: string, total: number): Promise<{ records: number; ms: number }> {
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  const t0 = performance.now();
  let records = 0;
  for (let offset = 0; ; offset += pageSize) {
    const res = await request(`${url}/items?limit=${pageSize}&offset=${offset}`, { dispatcher: agent });
    const body = JSON.parse(await res.body.text()) as { items: unknown[] };
    records += body.items.length;
    if (body.items.length < pageSize || records >= total) break;
  }
  const ms = performance.now() - t0;
  await agent.close();
  return { records, ms };
}

function benchSpec(url: string) {
  return {
    name: "bench",
    authSpec: [],
    sourceSpec: {
      attributes: {
        urlParams: { host: url, path: "/items", method: "GET" },
        contentPath: { path: "$.items", skipAttributes: ["total"] },
        paginationParams: { type: "OFFSET", limitName: "limit", limitValue: String(pageSize), offSetName: "offset" },
      },
    },
  };
}

/** Peak RSS of a live process from /proc (VmHWM is the high-water mark, so late samples suffice). */
function sampleHighWater(child: ChildProcess): { stop(): number } {
  let peakKb = 0;
  const read = async () => {
    try {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8");
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? "0");
      peakKb = Math.max(peakKb, kb);
    } catch {
      // The process has exited between samples.
    }
  };
  const timer = setInterval(read, 50);
  return {
    stop() {
      clearInterval(timer);
      return peakKb / 1024;
    },
  };
}

interface EngineRun {
  readonly records: number;
  readonly engineMs: number;
  readonly wallMs: number;
  readonly peakRssMb: number;
  readonly outBytes: number;
  readonly summary: string;
}

async function engine(url: string, dir: string): Promise<EngineRun> {
  const specPath = join(dir, "spec.json");
  const out = join(dir, "out.jsonl");
  await writeFile(specPath, JSON.stringify(benchSpec(url)));
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(root, "bin/inlet.js"), "read", specPath, "--out", out], {
    cwd: root,
    stdio: ["ignore", "inherit", "pipe"],
  });
  const sampler = sampleHighWater(child);
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString("utf8");
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const wallMs = performance.now() - t0;
  const peakRssMb = sampler.stop();
  if (code !== 0) throw new Error(`inlet read exited with ${code}:\n${stderr}`);
  const summary = stderr.trim().split("\n").at(-1) ?? "";
  const match = /read (\d+) records .* ([\d.]+) s,/.exec(summary);
  if (!match) throw new Error(`no summary line in:\n${stderr}`);
  const outBytes = (await stat(out)).size;
  await rm(out);
  return { records: Number(match[1]), engineMs: Number(match[2]) * 1000, wallMs, peakRssMb, outBytes, summary };
}

const perSecond = (records: number, ms: number) => Math.round((records * 1000) / ms);
const fmt = (n: number) => n.toLocaleString("en-US");

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "inlet-bench-"));
  try {
    const small = 200_000;
    const server = await startServer(small);
    try {
      await floor(server.url, 20_000); // warm the server and the connection path
      const f = await floor(server.url, small);
      const e = await engine(server.url, dir);
      if (e.records !== small || f.records !== small) throw new Error(`record counts: floor ${f.records}, engine ${e.records}`);
      const floorRate = perSecond(f.records, f.ms);
      const engineRate = perSecond(e.records, e.engineMs);
      console.log(`${fmt(small)} records of ~1 KB, pages of ${pageSize}:`);
      console.log(`  floor  (undici + JSON.parse):     ${fmt(floorRate)} records/s (${(f.ms / 1000).toFixed(2)} s)`);
      console.log(
        `  engine (inlet read --out FILE):   ${fmt(engineRate)} records/s (${(e.engineMs / 1000).toFixed(2)} s read, ` +
          `${(e.wallMs / 1000).toFixed(2)} s wall incl. start-up), ${(e.outBytes / 1024 ** 2).toFixed(0)} MiB written`,
      );
      console.log(`  ratio engine/floor: ${(engineRate / floorRate).toFixed(2)} (goal >= 0.80)`);
      console.log(`  engine peak RSS: ${e.peakRssMb.toFixed(0)} MB`);
    } finally {
      server.stop();
    }

    const large = 2_000_000;
    const bigServer = await startServer(large);
    try {
      const e = await engine(bigServer.url, dir);
      if (e.records !== large) throw new Error(`engine read ${e.records} of ${large} records`);
      console.log(`${fmt(large)} records:`);
      console.log(
        `  engine: ${fmt(perSecond(e.records, e.engineMs))} records/s (${(e.engineMs / 1000).toFixed(1)} s), ` +
          `peak RSS ${e.peakRssMb.toFixed(0)} MB (goal < 200 MB)`,
      );
    } finally {
      bigServer.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
