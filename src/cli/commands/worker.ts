import type { Command } from "commander";
import { type LogLevel, parseConfig } from "../../config.ts";
import { startWorker, WorkerConfigError } from "../../fleet/start-worker.ts";
import type { RunLog } from "../../flows/run-queue.ts";
import { type CliContext, UsageError } from "../context.ts";

const levels: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: 100,
};

/** One JSON line per event on stderr, pino's shape, from INLET_LOG_LEVEL up. */
function jsonLog(ctx: CliContext, level: LogLevel, workerId: () => string): RunLog {
  const line = (name: "info" | "warn" | "error") => (details: object, message: string) => {
    if (levels[name] < levels[level]) return;
    ctx.stderr.write(
      `${JSON.stringify({ level: levels[name], time: Date.now(), pid: process.pid, workerId: workerId(), ...details, msg: message })}\n`,
    );
  };
  return { info: line("info"), warn: line("warn"), error: line("error") };
}

export function registerWorker(program: Command, ctx: CliContext): void {
  program
    .command("worker")
    .description("run flow runs from the PostgreSQL job queue (fleet mode) until SIGINT or SIGTERM")
    .option("--database-url <url>", "postgres://… (INLET_DATABASE_URL); the database `inlet serve` uses")
    .option("--concurrency <n>", "runs at once in this process (INLET_WORKER_CONCURRENCY, default 2)")
    .option("--data-dir <dir>", "data directory for Parquet datasets and the key file (INLET_DATA_DIR)")
    .action(async (options: { databaseUrl?: string; concurrency?: string; dataDir?: string }) => {
      const config = parseConfig(options);
      let id = "";
      const log = jsonLog(ctx, config.logLevel, () => id);
      const worker = await startWorker(config, { log }).catch((error: unknown) => {
        if (error instanceof WorkerConfigError) throw new UsageError(error.message);
        throw error;
      });
      id = worker.id;
      ctx.stderr.write(
        `Inlet worker ${worker.id} running (concurrency ${config.fleet.workerConcurrency}); SIGTERM finishes or releases its runs\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      ctx.stderr.write("Inlet worker shutting down\n");
      await worker.close();
    });
}
