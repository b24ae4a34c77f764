/**
 * `npm run bench:engine`: engine throughput against the raw floor, and memory at scale.
 * 1. 200,000 records of ~1 KB in pages of 1,000 from a local server (bench/paged-server.ts, its
 *    own process). Measured in one run: the floor (undici request + JSON.parse, records
 *    discarded) and `inlet read SPEC --out FILE` (the real command, JSON Lines to a file).
 * 2. 2,000,000 records through `inlet read` again, to show that peak RSS stays flat.
 * Each measurement runs in a fresh child process (`tsx bench/engine.ts floor|read …`), which times
 * itself after start-up and reports `process.resourceUsage().maxRSS`, its peak resident set.
 * Goals: engine >= 0.8x the floor; peak RSS < 200 MB at 2,000,000 records.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { Agent, request } from "undici";
import { pageSize } from "./paged-server.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const self = fileURLToPath(import.meta.url);

interface Measurement {
  readonly records: number;
  readonly ms: number;
  readonly peakRssMb: number;
  readonly summary?: string;
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/** Child: the least any reader must do, fetch each page and parse it. */
async function floorChild(url: string): Promise<Measurement> {
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  const t0 = performance.now();
  let records = 0;
  for (let offset = 0; ; offset += pageSize) {
    const res = await request(`${url}/items?limit=${pageSize}&offset=${offset}`, { dispatcher: agent });
    const body = JSON.parse(await res.body.text()) as { items: unknown[] };
    records += body.items.length;
    if (body.items.length < pageSize) break;
  }
  const ms = performance.now() - t0;
  await agent.close();
  return { records, ms, peakRssMb: peakRssMb() };
}

/** Child: `inlet read SPEC --out FILE`, the command itself (without the CLI's other commands). */
async function readChild(specPath: string, out: string): Promise<Measurement> {
  const { runReadCommand } = await import("../src/cli/commands/read.ts");
  const stderr = new PassThrough();
  let text = "";
  stderr.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  const t0 = performance.now();
  const code = await runReadCommand([specPath, "--out", out], { stdout: process.stdout, stderr });
  const ms = performance.now() - t0;
  const summary = text.trim().split("\n").at(-1) ?? "";
  const match = /^read (\d+) records/.exec(summary);
  if (code !== 0 || !match) throw new Error(`inlet read exited with ${code}:\n${text}`);
  return { records: Number(match[1]), ms, peakRssMb: peakRssMb(), summary };
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

interface Server {
  readonly url: string;
  stop(): void;
}

async function startServer(total: number): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "bench/paged-server.ts"), String(total)], {
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

/** Runs one measurement in a fresh process; its last stdout line is the Measurement as JSON. */
async function measure(...args: string[]): Promise<Measurement & { wallMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", self, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`bench child ${args[0]} exited with ${code}`);
  const measurement = JSON.parse(out.trim().split("\n").at(-1) ?? "") as Measurement;
  return { ...measurement, wallMs: performance.now() - t0 };
}

const perSecond = (records: number, ms: number) => Math.round((records * 1000) / ms);
const fmt = (n: number) => n.toLocaleString("en-US");
const row = (cells: string[]) => `| ${cells.join(" | ")} |`;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "inlet-bench-"));
  const specFor = async (url: string) => {
    const path = join(dir, "spec.json");
    await writeFile(path, JSON.stringify(benchSpec(url)));
    return path;
  };
  const out = join(dir, "out.jsonl");
  try {
    const small = 200_000;
    const server = await startServer(small);
    let floor: Measurement;
    let engine: Measurement;
    let outBytes: number;
    try {
      floor = await measure("floor", server.url);
      engine = await measure("read", await specFor(server.url), out);
      outBytes = (await stat(out)).size;
    } finally {
      server.stop();
    }
    if (floor.records !== small || engine.records !== small)
      throw new Error(`record counts: floor ${floor.records}, engine ${engine.records}`);

    const large = 2_000_000;
    const bigServer = await startServer(large);
    let big: Measurement;
    try {
      big = await measure("read", await specFor(bigServer.url), out);
    } finally {
      bigServer.stop();
    }
    if (big.records !== large) throw new Error(`engine read ${big.records} of ${large} records`);

    const floorRate = perSecond(floor.records, floor.ms);
    const engineRate = perSecond(engine.records, engine.ms);
    console.log(`Records of ~1 KB in pages of ${fmt(pageSize)}, local server in its own process.\n`);
    console.log(row(["run", "records", "seconds", "records/s", "peak RSS"]));
    console.log(row(["---", "---:", "---:", "---:", "---:"]));
    console.log(
      row([
        "floor: undici + JSON.parse",
        fmt(floor.records),
        (floor.ms / 1000).toFixed(2),
        fmt(floorRate),
        `${floor.peakRssMb.toFixed(0)} MB`,
      ]),
    );
    console.log(
      row([
        "engine: inlet read --out FILE",
        fmt(engine.records),
        (engine.ms / 1000).toFixed(2),
        fmt(engineRate),
        `${engine.peakRssMb.toFixed(0)} MB`,
      ]),
    );
    console.log(
      row([
        "engine: inlet read --out FILE",
        fmt(big.records),
        (big.ms / 1000).toFixed(2),
        fmt(perSecond(big.records, big.ms)),
        `${big.peakRssMb.toFixed(0)} MB`,
      ]),
    );
    console.log("");
    console.log(`engine / floor at ${fmt(small)} records: ${(engineRate / floorRate).toFixed(2)} (goal >= 0.80)`);
    console.log(`peak RSS at ${fmt(large)} records: ${big.peakRssMb.toFixed(0)} MB (goal < 200 MB)`);
    console.log(`JSON Lines written at ${fmt(small)} records: ${(outBytes / 1024 ** 2).toFixed(0)} MiB`);
    console.log(`engine summary: ${engine.summary}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "floor") console.log(JSON.stringify(await floorChild(args[0] as string)));
else if (mode === "read") console.log(JSON.stringify(await readChild(args[0] as string, args[1] as string)));
else await main();
