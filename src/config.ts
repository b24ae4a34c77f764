import path from "node:path";

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
}

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

export interface ConfigFlags {
  readonly dataDir?: string | undefined;
  readonly databaseUrl?: string | undefined;
  readonly port?: string | number | undefined;
  readonly host?: string | undefined;
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
  return {
    dataDir,
    database: parseDatabase(nonEmpty(flags.databaseUrl) ?? nonEmpty(env.INLET_DATABASE_URL), dataDir),
    port: parsePort(flags.port ?? nonEmpty(env.INLET_PORT) ?? 8080),
    host: parseHost(nonEmpty(flags.host) ?? nonEmpty(env.INLET_HOST) ?? "127.0.0.1"),
    masterKey: parseMasterKey(nonEmpty(env.INLET_MASTER_KEY)),
    bodyLimitBytes: parsePositiveInt("INLET_BODY_LIMIT", env.INLET_BODY_LIMIT, 1024 * 1024),
    logLevel: parseLogLevel(nonEmpty(env.INLET_LOG_LEVEL) ?? "info"),
    runConcurrency: parsePositiveInt("INLET_RUN_CONCURRENCY", env.INLET_RUN_CONCURRENCY, 2),
    runPollMs: parsePositiveInt("INLET_RUN_POLL_MS", env.INLET_RUN_POLL_MS, 5000),
  };
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
