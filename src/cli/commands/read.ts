/**
 * `inlet read SPEC`: runs a connection spec against the live API and writes the records as JSON
 * Lines (stdout or --out). Progress and the closing summary go to stderr, so stdout stays data.
 */
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Writable } from "node:stream";
import type { Command } from "commander";
import {
  EngineError,
  type EngineErrorKind,
  explainFirstRequest,
  type ReadRequest,
  type ReadWindow,
  readRecords,
} from "../../engine/index.ts";
import { type CliContext, exitCodes, readJsonArgument, UsageError } from "../context.ts";
import { createProgress } from "../progress.ts";

interface ReadOptions {
  readonly authSpec?: string;
  readonly auth: string;
  readonly params: string;
  readonly windowStart?: string;
  readonly windowEnd?: string;
  readonly backfill?: boolean;
  readonly maxRecords?: string;
  readonly out?: string;
  readonly explain?: boolean;
}

const exitCodeOf: Readonly<Record<EngineErrorKind, number>> = {
  spec: exitCodes.badInput,
  params: exitCodes.badInput,
  auth: exitCodes.authFailure,
  upstream: exitCodes.upstreamFailure,
  network: exitCodes.upstreamFailure,
  timeout: exitCodes.upstreamFailure,
  loop: exitCodes.upstreamFailure,
  extraction: exitCodes.upstreamFailure,
};

/** Lines are joined into ~256 KiB writes: a stream write per ~1 KB record would dominate a fast read. */
const batchChars = 256 * 1024;

function parseInstant(value: string, flag: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`${flag} must be an ISO 8601 date-time, got "${value}"`);
  return date;
}

function parseWindow(options: ReadOptions): ReadWindow | undefined {
  if (options.windowStart === undefined && options.windowEnd === undefined && !options.backfill) return undefined;
  const backfill = options.backfill === true;
  if (options.windowStart === undefined && !backfill)
    throw new UsageError("--window-start is required for an incremental window (or pass --backfill)");
  const start = options.windowStart === undefined ? new Date(0) : parseInstant(options.windowStart, "--window-start");
  const end = options.windowEnd === undefined ? new Date() : parseInstant(options.windowEnd, "--window-end");
  if (start.getTime() > end.getTime()) throw new UsageError("--window-start is after --window-end");
  return { start, end, backfill };
}

function parseMaxRecords(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--max-records must be a positive integer, got "${value}"`);
  return n;
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new UsageError(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

async function readSpec(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the spec file ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the spec file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Batches JSON lines and honours backpressure, so memory stays bounded whatever the sink's speed. */
class LineWriter {
  private buffer = "";
  constructor(private readonly sink: Writable) {}

  async push(record: unknown): Promise<void> {
    this.buffer += `${JSON.stringify(record)}\n`;
    if (this.buffer.length >= batchChars) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer === "") return;
    const chunk = this.buffer;
    this.buffer = "";
    if (!this.sink.write(chunk)) await new Promise<void>((resolve) => this.sink.once("drain", resolve));
  }
}

async function buildRequest(specPath: string, options: ReadOptions): Promise<ReadRequest> {
  const spec = await readSpec(specPath);
  const auth = asObject(await readJsonArgument(options.auth, "--auth"), "--auth");
  const params = asObject(await readJsonArgument(options.params, "--params"), "--params");
  const window = parseWindow(options);
  const maxRecords = parseMaxRecords(options.maxRecords);
  return {
    spec,
    auth,
    params,
    ...(options.authSpec === undefined ? {} : { authSpecName: options.authSpec }),
    ...(window ? { window } : {}),
    ...(maxRecords === undefined ? {} : { maxRecords }),
  };
}

async function openSink(ctx: CliContext, out: string | undefined): Promise<{ sink: Writable; close(): Promise<void> }> {
  if (out === undefined) return { sink: ctx.stdout, close: async () => {} };
  const file = createWriteStream(out);
  await new Promise<void>((resolve, reject) => {
    file.once("open", () => resolve());
    file.once("error", (error) => reject(new UsageError(`cannot write ${out}: ${error.message}`)));
  });
  return {
    sink: file,
    close: () => new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve()))),
  };
}

function reportEngineError(ctx: CliContext, error: EngineError): void {
  const status = error.status === undefined ? "" : ` (status ${error.status})`;
  ctx.stderr.write(`inlet read: ${error.kind} error${status}: ${error.message}\n`);
  if (error.bodyExcerpt) ctx.stderr.write(`  response: ${error.bodyExcerpt}\n`);
  ctx.setExitCode(exitCodeOf[error.kind]);
}

async function runRead(ctx: CliContext, specPath: string, options: ReadOptions): Promise<void> {
  const request = await buildRequest(specPath, options);
  if (options.explain) {
    try {
      ctx.stdout.write(`${JSON.stringify(explainFirstRequest(request), null, 2)}\n`);
    } catch (error) {
      if (error instanceof EngineError) return reportEngineError(ctx, error);
      throw error;
    }
    return;
  }
  const { sink, close } = await openSink(ctx, options.out);
  const progress = createProgress(ctx.stderr);
  const handle = readRecords({ ...request, onEvent: progress.onEvent });
  const writer = new LineWriter(sink);
  let failure: unknown;
  try {
    for await (const record of handle) await writer.push(record);
  } catch (error) {
    failure = error;
  }
  await writer.flush();
  await close();
  progress.finish(handle.summary());
  if (failure === undefined) return;
  if (failure instanceof EngineError) return reportEngineError(ctx, failure);
  throw failure;
}

export function registerRead(program: Command, ctx: CliContext): void {
  program
    .command("read")
    .description("read records from a source with a connection spec; JSON Lines on stdout, progress on stderr")
    .argument("<spec>", "connection spec JSON file")
    .option("--auth-spec <name>", "authSpec entry name or type (default: the first)")
    .option("--auth <json>", "auth params (credentials): inline JSON or @file", "{}")
    .option("--params <json>", "source connection params: inline JSON or @file", "{}")
    .option("--window-start <iso>", "incremental window start (ISO 8601)")
    .option("--window-end <iso>", "incremental window end (ISO 8601; default now)")
    .option("--backfill", "backfill window: the backfill expression, from the Unix epoch unless --window-start")
    .option("--max-records <n>", "stop after N records")
    .option("--out <file>", "write the JSON Lines to FILE instead of stdout")
    .option("--explain", "print the first request (secrets redacted) and send nothing")
    .action((specPath: string, options: ReadOptions) => runRead(ctx, specPath, options));
}
