import path from "node:path";
import { type EgressPolicy, egressPolicies } from "./engine/http/egress.ts";

/**
 * The only module that reads the environment. Settings come from flags first, then INLET_*
 * variables, then defaults; the result is validated once and passed explicitly everywhere.
 */
export type DatabaseTarget =
  | { readonly kind: "sqlite"; readonly file: string }
  | { readonly kind: "postgres"; readonly url: string };

export interface InletConfig {
  readonly dataDir: string;
  readonly database: DatabaseTarget;
  readonly port: number;
  readonly host: string;
  /** 32 raw bytes, from INLET_MASTER_KEY (base64); absent means a key file in the data dir. */
  readonly masterKey: Buffer | undefined;
  readonly bodyLimitBytes: number;
  readonly logLevel: LogLevel;
  /** Flow runs executing at once in `inlet serve` (INLET_RUN_CONCURRENCY, default 2). */
  readonly runConcurrency: number;
  /** How often the embedded runner looks for due windows, ms (INLET_RUN_POLL_MS, default 5000). */
  readonly runPollMs: number;
  /**
   * INLET_RUN_MODE: `embedded` (default, even on PostgreSQL) runs flow runs inside `inlet serve`;
   * `fleet` (PostgreSQL only) makes `inlet serve` the API plus the leader-elected scheduler, and
   * `inlet worker` processes run the runs (docs/deployment.md).
   */
  readonly runMode: RunMode;
  /** The PostgreSQL of the `postgres` dataset sink: INLET_DATASET_DATABASE_URL, else the store's when it is PostgreSQL. */
  readonly datasetDatabaseUrl: string | undefined;
  readonly fleet: FleetSettings;
  /**
   * INLET_EGRESS: which addresses the server's reads may connect to (src/engine/http/egress.ts):
   * `no-link-local` (default; keeps cloud metadata services out of reach), `public`, or `any`.
   */
  readonly egress: EgressPolicy;
}

export const runModes = ["embedded", "fleet"] as const;
export type RunMode = (typeof runModes)[number];

/** The worker fleet's settings (INLET_RUN_MODE=fleet and `inlet worker`). */
export interface FleetSettings {
  /** Runs one `inlet worker` executes at once (--concurrency, INLET_WORKER_CONCURRENCY, default 2). */
  readonly workerConcurrency: number;
  /** How often a worker says it is alive and sweeps for dead ones, ms (INLET_FLEET_HEARTBEAT_MS, default 5000). */
  readonly heartbeatMs: number;
  /** A worker silent this long is dead; its runs go to others, ms (INLET_FLEET_STALE_MS, default 30000). */
  readonly staleAfterMs: number;
  /** How often a follower tries to become the scheduler's leader, ms (INLET_LEADER_RETRY_MS, default 10000, at most 30000). */
  readonly leaderRetryMs: number;
  /** How long runs may finish after SIGTERM before they are released, ms (INLET_SHUTDOWN_GRACE_MS, default 25000). */
  readonly shutdownGraceMs: number;
  /** Attempts of a run's job when its handler fails (INLET_JOB_MAX_ATTEMPTS, default 6). */
  readonly jobMaxAttempts: number;
}

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

export interface ConfigFlags {
  readonly dataDir?: string | undefined;
  readonly databaseUrl?: string | undefined;
  readonly port?: string | number | undefined;
  readonly host?: string | undefined;
  /** `inlet worker --concurrency N`. */
  readonly concurrency?: string | number | undefined;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function parseConfig(flags: ConfigFlags = {}, env: Env = process.env): InletConfig {
  const dataDir = path.resolve(nonEmpty(flags.dataDir) ?? nonEmpty(env.INLET_DATA_DIR) ?? "./inlet-data");
  const database = parseDatabase(nonEmpty(flags.databaseUrl) ?? nonEmpty(env.INLET_DATABASE_URL), dataDir);
  return {
    dataDir,
    database,
    port: parsePort(flags.port ?? nonEmpty(env.INLET_PORT) ?? 8080),
    host: parseHost(nonEmpty(flags.host) ?? nonEmpty(env.INLET_HOST) ?? "127.0.0.1"),
    masterKey: parseMasterKey(nonEmpty(env.INLET_MASTER_KEY)),
    bodyLimitBytes: parsePositiveInt("INLET_BODY_LIMIT", env.INLET_BODY_LIMIT, 1024 * 1024),
    logLevel: parseLogLevel(nonEmpty(env.INLET_LOG_LEVEL) ?? "info"),
    runConcurrency: parsePositiveInt("INLET_RUN_CONCURRENCY", env.INLET_RUN_CONCURRENCY, 2),
    runPollMs: parsePositiveInt("INLET_RUN_POLL_MS", env.INLET_RUN_POLL_MS, 5000),
    runMode: parseRunMode(nonEmpty(env.INLET_RUN_MODE) ?? "embedded", database),
    datasetDatabaseUrl: parseDatasetDatabase(nonEmpty(env.INLET_DATASET_DATABASE_URL), database),
    egress: parseEgress(nonEmpty(env.INLET_EGRESS) ?? "no-link-local"),
    fleet: {
      workerConcurrency: parsePositiveInt(
        "INLET_WORKER_CONCURRENCY",
        flags.concurrency === undefined ? env.INLET_WORKER_CONCURRENCY : String(flags.concurrency),
        2,
      ),
      heartbeatMs: parsePositiveInt("INLET_FLEET_HEARTBEAT_MS", env.INLET_FLEET_HEARTBEAT_MS, 5000),
      staleAfterMs: parsePositiveInt("INLET_FLEET_STALE_MS", env.INLET_FLEET_STALE_MS, 30_000),
      leaderRetryMs: Math.min(parsePositiveInt("INLET_LEADER_RETRY_MS", env.INLET_LEADER_RETRY_MS, 10_000), 30_000),
      shutdownGraceMs: parsePositiveInt("INLET_SHUTDOWN_GRACE_MS", env.INLET_SHUTDOWN_GRACE_MS, 25_000),
      jobMaxAttempts: parsePositiveInt("INLET_JOB_MAX_ATTEMPTS", env.INLET_JOB_MAX_ATTEMPTS, 6),
    },
  };
}

function parseEgress(value: string): EgressPolicy {
  const policy = egressPolicies.find((p) => p === value);
  if (policy === undefined) throw new ConfigError("INLET_EGRESS", `must be one of ${egressPolicies.join(", ")}`);
  return policy;
}

function parseRunMode(value: string, database: DatabaseTarget): RunMode {
  const mode = runModes.find((m) => m === value);
  if (mode === undefined) throw new ConfigError("INLET_RUN_MODE", `must be one of ${runModes.join(", ")}`);
  if (mode === "fleet" && database.kind !== "postgres") {
    throw new ConfigError("INLET_RUN_MODE", "fleet needs a PostgreSQL database (INLET_DATABASE_URL=postgres://…)");
  }
  return mode;
}

function parseDatasetDatabase(url: string | undefined, database: DatabaseTarget): string | undefined {
  if (url === undefined) return database.kind === "postgres" ? database.url : undefined;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError("INLET_DATASET_DATABASE_URL", "must be a postgres:// or postgresql:// URL");
  }
  try {
    new URL(url);
  } catch {
    throw new ConfigError("INLET_DATASET_DATABASE_URL", "is not a valid postgres:// URL");
  }
  return url;
}

/** Settings only the test suites use: a PostgreSQL server to run the contract suites against. */
export function testDatabaseUrl(env: Env = process.env): string | undefined {
  return nonEmpty(env.INLET_TEST_DATABASE_URL);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function parseDatabase(url: string | undefined, dataDir: string): DatabaseTarget {
  if (url === undefined) return { kind: "sqlite", file: path.join(dataDir, "inlet.sqlite") };
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError("INLET_DATABASE_URL", "is not a valid postgres:// URL");
    }
    return { kind: "postgres", url };
  }
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length).replace(/^\/\//, "");
    if (file === "")
      throw new ConfigError("INLET_DATABASE_URL", "sqlite: needs a file path, e.g. sqlite:./inlet.sqlite");
    return { kind: "sqlite", file: file === ":memory:" ? file : path.resolve(file) };
  }
  throw new ConfigError("INLET_DATABASE_URL", "must start with postgres://, postgresql:// or sqlite:");
}

function parsePort(value: string | number): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError("INLET_PORT", `must be an integer from 0 to 65535, got "${value}"`);
  }
  return port;
}

function parseHost(value: string): string {
  if (/\s/.test(value)) throw new ConfigError("INLET_HOST", `must be a host name or address, got "${value}"`);
  return value;
}

function parseMasterKey(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const key = Buffer.from(value, "base64");
  if (key.length !== 32) {
    // Never echo the value: it is a secret.
    throw new ConfigError("INLET_MASTER_KEY", `must be 32 bytes encoded as base64 (decoded ${key.length} bytes)`);
  }
  return key;
}

function parsePositiveInt(setting: string, value: string | undefined, fallback: number): number {
  if (nonEmpty(value) === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new ConfigError(setting, `must be a positive integer, got "${value}"`);
  }
  return parsed;
}

function parseLogLevel(value: string): LogLevel {
  const level = logLevels.find((l) => l === value);
  if (level === undefined) throw new ConfigError("INLET_LOG_LEVEL", `must be one of ${logLevels.join(", ")}`);
  return level;
}
