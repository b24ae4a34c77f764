/**
 * `inlet read SPEC`: runs a connection spec against the live API and writes the records as JSON
 * Lines (stdout or --out). Progress and the closing summary go to stderr, so stdout stays data.
 * Exit codes: 0 success, 2 bad spec or arguments, 3 auth failure, 4 upstream or network failure
 * (1 for a local failure such as an unwritable --out, 130 when interrupted).
 * When the provider rotates OAuth2 credentials during the read and --auth came from a file, the
 * new tokens are written back to that file, since the old refresh token may no longer work.
 */
import { createWriteStream } from "node:fs";
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import type { Writable } from "node:stream";
import { Command, CommanderError } from "commander";
import {
  EngineError,
  type EngineErrorKind,
  explainFirstRequest,
  type ReadRequest,
  type ReadWindow,
  type RecordPage,
  type RotatedCredentials,
  readPages,
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

const interruptedExitCode = 130;

/**
 * Lines are encoded straight into ~1 MiB buffers, one stream write each: a write per ~1 KB record,
 * or joining strings and encoding them afterwards, costs more than the read itself at local speed.
 */
const batchBytes = 1024 * 1024;
const newline = Buffer.from("\n");

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
  const start = options.windowStart === undefined ? undefined : parseInstant(options.windowStart, "--window-start");
  const end = options.windowEnd === undefined ? new Date() : parseInstant(options.windowEnd, "--window-end");
  if (start !== undefined && start.getTime() > end.getTime())
    throw new UsageError("--window-start is after --window-end");
  return { ...(start === undefined ? {} : { start }), end, backfill };
}

function parseMaxRecords(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--max-records must be a positive integer, got "${value}"`);
  return n;
}

async function jsonObjectArgument(value: string, flag: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = await readJsonArgument(value, flag);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${flag} ${value}: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new UsageError(`${flag} must be a JSON object`);
  return parsed as Record<string, unknown>;
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

/**
 * Batches JSON lines and honours backpressure, so memory stays bounded whatever the sink's speed.
 * A sink error (EPIPE when the reader of stdout goes away, a full disk) is kept, not thrown from
 * an event handler, and ends the read.
 */
class LineWriter {
  private batch = Buffer.allocUnsafe(batchBytes);
  private used = 0;
  failure: NodeJS.ErrnoException | undefined;

  constructor(private readonly sink: Writable) {
    sink.on("error", (error: NodeJS.ErrnoException) => {
      this.failure ??= error;
    });
  }

  async pushPage(page: RecordPage): Promise<void> {
    if (page.format === "objects") {
      for (const record of page.records) await this.push(JSON.stringify(record));
      return;
    }
    for (const json of page.records) {
      if (this.used + json.length + 1 > this.batch.length) {
        await this.flush();
        if (json.length + 1 > this.batch.length) {
          await this.write(Buffer.concat([json, newline]));
          continue;
        }
      }
      this.used += json.copy(this.batch, this.used);
      this.batch[this.used++] = 0x0a;
    }
  }

  private async push(line: string): Promise<void> {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8; Buffer.write would silently truncate.
    const worstCase = line.length * 3 + 1;
    if (this.used + worstCase > this.batch.length) {
      await this.flush();
      if (worstCase > this.batch.length) {
        await this.write(Buffer.from(`${line}\n`));
        return;
      }
    }
    this.used += this.batch.write(line, this.used);
    this.batch[this.used++] = 0x0a;
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    const chunk = this.batch.subarray(0, this.used);
    // The stream keeps the written chunk until it is flushed, so the next batch is a new buffer.
    this.batch = Buffer.allocUnsafe(batchBytes);
    this.used = 0;
    await this.write(chunk);
  }

  private async write(chunk: Buffer): Promise<void> {
    if (this.failure || this.sink.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.sink.off("drain", done);
        this.sink.off("error", done);
        this.sink.off("close", done);
        resolve();
      };
      this.sink.on("drain", done);
      this.sink.on("error", done);
      this.sink.on("close", done);
    });
  }
}

/** Writes rotated OAuth2 tokens back into the --auth file (atomically, keeping its mode). */
async function saveRotated(file: string, rotated: RotatedCredentials): Promise<void> {
  const current = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  const next = {
    ...current,
    accessToken: rotated.accessToken,
    ...(rotated.refreshToken === undefined ? {} : { refreshToken: rotated.refreshToken }),
    ...(rotated.expirationDate === undefined ? {} : { expirationDate: rotated.expirationDate }),
  };
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: (await stat(file)).mode & 0o777 });
  await rename(temporary, file);
}

function rotationHandler(ctx: CliContext, authArgument: string): (rotated: RotatedCredentials) => Promise<void> {
  const file = authArgument.startsWith("@") ? authArgument.slice(1) : undefined;
  return async (rotated) => {
    if (file === undefined) {
      if (rotated.refreshToken !== undefined)
        ctx.stderr.write(
          "inlet read: warning: the token endpoint rotated the refresh token, and the one passed with --auth may " +
            "no longer work; pass --auth @file so that inlet saves the new credentials\n",
        );
      return;
    }
    await saveRotated(file, rotated);
    ctx.stderr.write(`inlet read: saved the refreshed credentials to ${file}\n`);
  };
}

async function buildRequest(specPath: string, options: ReadOptions): Promise<ReadRequest> {
  const spec = await readSpec(specPath);
  const auth = await jsonObjectArgument(options.auth, "--auth");
  const params = await jsonObjectArgument(options.params, "--params");
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
  // A few batches may queue while the disk catches up, so the read does not stall on every batch.
  const file = createWriteStream(out, { highWaterMark: 4 * batchBytes });
  await new Promise<void>((resolve, reject) => {
    file.once("open", () => resolve());
    file.once("error", (error) => reject(new UsageError(`cannot write ${out}: ${error.message}`)));
  });
  return {
    sink: file,
    close: () =>
      new Promise<void>((resolve) => {
        if (file.destroyed) resolve();
        else file.end(() => resolve());
      }),
  };
}

function reportEngineError(ctx: CliContext, error: EngineError): void {
  const status = error.status === undefined ? "" : ` (status ${error.status})`;
  ctx.stderr.write(`inlet read: ${error.kind} error${status}: ${error.message}\n`);
  ctx.setExitCode(exitCodeOf[error.kind]);
}

async function runRead(ctx: CliContext, specPath: string, options: ReadOptions): Promise<void> {
  const request = await buildRequest(specPath, options);
  if (options.explain) {
    ctx.stdout.write(`${JSON.stringify(explainFirstRequest(request), null, 2)}\n`);
    return;
  }
  const { sink, close } = await openSink(ctx, options.out);
  const progress = createProgress(ctx.stderr);
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort(new Error("interrupted"));
  process.once("SIGINT", onSigint);
  // Records as the API wrote them where the engine can slice them (bench/engine.ts: no
  // JSON.parse and JSON.stringify per record).
  const handle = readPages({
    ...request,
    json: true,
    signal: interrupt.signal,
    onEvent: progress.onEvent,
    onCredentialsRotated: rotationHandler(ctx, options.auth),
  });
  const writer = new LineWriter(sink);
  let failure: unknown;
  try {
    for await (const page of handle) {
      await writer.pushPage(page);
      if (writer.failure) break;
    }
    await writer.flush();
  } catch (error) {
    failure = error;
  } finally {
    process.off("SIGINT", onSigint);
    await close();
  }
  progress.finish(handle.summary());
  if (interrupt.signal.aborted) {
    ctx.stderr.write("inlet read: interrupted\n");
    ctx.setExitCode(interruptedExitCode);
  } else if (failure instanceof EngineError) reportEngineError(ctx, failure);
  else if (failure !== undefined) throw failure;
  else if (writer.failure && writer.failure.code !== "EPIPE") {
    // EPIPE: whoever read stdout (`| head`) has what it wanted.
    ctx.stderr.write(`inlet read: cannot write the records: ${writer.failure.message}\n`);
    ctx.setExitCode(exitCodes.failure);
  }
}

/** Runs the command, mapping every failure to its exit code, so `read` needs nothing from main. */
async function action(ctx: CliContext, specPath: string, options: ReadOptions): Promise<void> {
  try {
    await runRead(ctx, specPath, options);
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.stderr.write(`inlet read: ${error.message}\n`);
      ctx.setExitCode(exitCodes.badInput);
    } else if (error instanceof EngineError) reportEngineError(ctx, error);
    else {
      ctx.stderr.write(`inlet read: ${error instanceof Error ? error.message : String(error)}\n`);
      ctx.setExitCode(exitCodes.failure);
    }
  }
}

export function registerRead(program: Command, ctx: CliContext): void {
  program
    .command("read")
    .description("read records from a source with a connection spec; JSON Lines on stdout, progress on stderr")
    .argument("<spec>", "connection spec JSON file")
    .option("--auth-spec <name>", "authSpec entry name or type (default: the first)")
    .option(
      "--auth <json>",
      "auth params (credentials): inline JSON or @file (rotated tokens are saved to the file)",
      "{}",
    )
    .option("--params <json>", "source connection params: inline JSON or @file", "{}")
    .option("--window-start <iso>", "incremental window start (ISO 8601)")
    .option("--window-end <iso>", "incremental window end (ISO 8601; default now)")
    .option("--backfill", "backfill window: the backfill expression, from the Unix epoch unless --window-start")
    .option("--max-records <n>", "stop after N records")
    .option("--out <file>", "write the JSON Lines to FILE instead of stdout")
    .option("--explain", "print the first request (secrets redacted) and send nothing")
    .action((specPath: string, options: ReadOptions) => action(ctx, specPath, options));
}

/**
 * `inlet read …` as a program of its own: `args` are what follows `inlet` (starting with `read`);
 * the command is the one `inlet` registers, without the CLI's other commands (the integration
 * tests and the benchmark run it this way). Resolves to the exit code.
 */
export async function runReadCommand(
  args: readonly string[],
  context: Omit<CliContext, "setExitCode">,
): Promise<number> {
  let exitCode: number = exitCodes.ok;
  const ctx: CliContext = {
    ...context,
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = new Command("inlet")
    .exitOverride()
    .configureOutput({ writeOut: (text) => ctx.stdout.write(text), writeErr: (text) => ctx.stderr.write(text) });
  registerRead(program, ctx);
  try {
    await program.parseAsync([...args], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.badInput;
    throw error;
  }
  return exitCode;
}
