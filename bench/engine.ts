/**
 * `npm run bench:engine`: engine throughput against the raw floor, and memory at scale.
 * 1. 200,000 records of ~1 KB in pages of 1,000 from a local server (bench/paged-server.ts, its
 *    own process). Measured in one run: the floor (undici request + JSON.parse, records
 *    discarded) and `inlet read SPEC --out FILE` (the real command, JSON Lines to a file); also
 *    the engine alone with records discarded, which does the floor's job, so the gap between the
 *    floor and `inlet read` splits into engine overhead and the cost of writing JSON Lines.
 *    `inlet read` takes the engine's JSON pages (readPages with json: true): each record's text is
 *    sliced from the validated response, so it does less than the floor, which must parse; the
 *    engine alone is also shown that way ("JSON pages"), records discarded.
 * 2. 2,000,000 records through `inlet read` again, to show that peak RSS stays flat.
 * Each measurement runs in a fresh child process (`tsx bench/engine.ts floor|read …`), which times
 * itself after start-up and reports `process.resourceUsage().maxRSS`, its peak resident set.
 * Floor and engine alternate for three rounds and the medians are compared, since a shared
 * machine's speed drifts between runs; every round's figure is printed too.
 * Goals: engine >= 0.8x the floor; peak RSS < 200 MB at 2,000,000 records.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
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

/** Child: the engine doing the floor's job (readRecords, records discarded), to separate its cost from output. */
async function recordsChild(specPath: string): Promise<Measurement> {
  const { readRecords } = await import("../src/engine/index.ts");
  const spec: unknown = JSON.parse(await readFile(specPath, "utf8"));
  const t0 = performance.now();
  let records = 0;
  for await (const _record of readRecords({ spec, auth: {}, params: {} })) records += 1;
  return { records, ms: performance.now() - t0, peakRssMb: peakRssMb() };
}

/** Child: the engine's JSON pages (what `inlet read` consumes), records discarded. */
async function jsonPagesChild(specPath: string): Promise<Measurement> {
  const { readPages } = await import("../src/engine/index.ts");
  const spec: unknown = JSON.parse(await readFile(specPath, "utf8"));
  const t0 = performance.now();
  let records = 0;
  for await (const page of readPages({ spec, auth: {}, params: {}, json: true })) {
    if (page.format !== "json") throw new Error("the bench spec should give JSON pages");
    records += page.records.length;
  }
  return { records, ms: performance.now() - t0, peakRssMb: peakRssMb() };
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
  const code = await runReadCommand(["read", specPath, "--out", out], { stdout: process.stdout, stderr });
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
const rounds = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function line(label: string, runs: Measurement[]): { label: string; rate: number; cells: string[] } {
  const rates = runs.map((m) => perSecond(m.records, m.ms));
  const rate = median(rates);
  const seconds = median(runs.map((m) => m.ms)) / 1000;
  const rss = Math.max(...runs.map((m) => m.peakRssMb));
  const each = runs.length > 1 ? ` (${rates.map(fmt).join(", ")})` : "";
  return {
    label,
    rate,
    cells: [label, fmt(runs[0]?.records ?? 0), seconds.toFixed(2), `${fmt(rate)}${each}`, `${rss.toFixed(0)} MB`],
  };
}

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
    const floors: Measurement[] = [];
    const discards: Measurement[] = [];
    const jsonPages: Measurement[] = [];
    const engines: Measurement[] = [];
    let outBytes = 0;
    let summary = "";
    try {
      const spec = await specFor(server.url);
      for (let round = 0; round < rounds; round++) {
        floors.push(await measure("floor", server.url));
        discards.push(await measure("records", spec));
        jsonPages.push(await measure("pages", spec));
        const engine = await measure("read", spec, out);
        engines.push(engine);
        outBytes = (await stat(out)).size;
        summary = engine.summary ?? "";
      }
    } finally {
      server.stop();
    }
    for (const m of [...floors, ...discards, ...jsonPages, ...engines])
      if (m.records !== small) throw new Error(`a run read ${m.records} of ${small} records`);

    const large = 2_000_000;
    const bigServer = await startServer(large);
    let big: Measurement;
    try {
      big = await measure("read", await specFor(bigServer.url), out);
    } finally {
      bigServer.stop();
    }
    if (big.records !== large) throw new Error(`engine read ${big.records} of ${large} records`);

    const floorLine = line("floor: undici + JSON.parse", floors);
    const discardLine = line("engine alone: readRecords, records discarded", discards);
    const pagesLine = line("engine alone: JSON pages, records discarded", jsonPages);
    const engineLine = line("engine: inlet read --out FILE", engines);
    const bigLine = line("engine: inlet read --out FILE", [big]);
    console.log(`Records of ~1 KB in pages of ${fmt(pageSize)}, local server in its own process.`);
    console.log(`200,000-record figures are medians of ${rounds} alternating runs (each run in brackets).\n`);
    console.log(row(["run", "records", "seconds", "records/s", "peak RSS"]));
    console.log(row(["---", "---:", "---:", "---:", "---:"]));
    for (const l of [floorLine, discardLine, pagesLine, engineLine, bigLine]) console.log(row(l.cells));
    console.log("");
    console.log(
      `engine alone / floor at ${fmt(small)} records: ${(discardLine.rate / floorLine.rate).toFixed(2)} parsed, ` +
        `${(pagesLine.rate / floorLine.rate).toFixed(2)} as JSON pages (validated and sliced, not parsed)`,
    );
    console.log(
      `engine / floor at ${fmt(small)} records: ${(engineLine.rate / floorLine.rate).toFixed(2)} (goal >= 0.80)`,
    );
    console.log(`peak RSS at ${fmt(large)} records: ${big.peakRssMb.toFixed(0)} MB (goal < 200 MB)`);
    console.log(`JSON Lines written at ${fmt(small)} records: ${(outBytes / 1024 ** 2).toFixed(0)} MiB`);
    console.log(`last engine summary: ${summary}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "floor") console.log(JSON.stringify(await floorChild(args[0] as string)));
else if (mode === "records") console.log(JSON.stringify(await recordsChild(args[0] as string)));
else if (mode === "pages") console.log(JSON.stringify(await jsonPagesChild(args[0] as string)));
else if (mode === "read") console.log(JSON.stringify(await readChild(args[0] as string, args[1] as string)));
else await main();
