/**
 * Real processes for the cluster test and bench: `node bin/inlet.js serve` (fleet mode) and
 * `node bin/inlet.js worker`, each with its own log file, plus the setup of flows over the accounts
 * API through the Flow Service API.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { openMetadataStore } from "../../src/store/create-store.ts";
import { issueToken } from "../../src/tenancy/tokens.ts";
import { windowedMappings, windowedSchema } from "../support/flows-apis.ts";
import { dataLakeSpecId, FlowApi, registerSpec } from "../support/flows-workflow.ts";
import { accountsSpec } from "./accounts-api.ts";

const bin = path.resolve(import.meta.dirname, "../../bin/inlet.js");

export interface ClusterEnv {
  readonly databaseUrl: string;
  readonly dataDir: string;
  readonly logDir: string;
  /** Extra environment for every process (timings). */
  readonly env: Readonly<Record<string, string>>;
}

export interface InletProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The worker's id, or the server's URL. */
  readonly id: string;
  readonly logFile: string;
  /** SIGTERM, then the exit code (null after a signal). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL: no clean-up at all, as a crashed machine. */
  kill(): Promise<void>;
}

export const masterKey = randomBytes(32).toString("base64");

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

async function launch(
  cluster: ClusterEnv,
  name: string,
  args: string[],
  ready: RegExp,
  extraEnv: Record<string, string> = {},
): Promise<InletProcess> {
  const logFile = path.join(cluster.logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: "a" });
  const child = spawn(process.execPath, [bin, ...args], {
    env: {
      ...process.env,
      INLET_MASTER_KEY: masterKey,
      INLET_DATA_DIR: cluster.dataDir,
      INLET_DATABASE_URL: cluster.databaseUrl,
      ...cluster.env,
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  let buffered = "";
  const id = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 60 s; see ${logFile}`)), 60_000);
    child.stderr?.on("data", (chunk: Buffer) => {
      log.write(chunk);
      if (buffered === undefined) return;
      buffered += chunk.toString();
      const match = ready.exec(buffered);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? "");
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready; see ${logFile}`));
    });
  });
  return {
    name,
    child,
    id,
    logFile,
    stop: async (timeoutMs = 30_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const code = await exited(child);
      clearTimeout(timer);
      return code;
    },
    kill: async () => {
      child.kill("SIGKILL");
      await exited(child);
    },
  };
}

export function startServe(cluster: ClusterEnv, name = "serve"): Promise<InletProcess> {
  return launch(cluster, name, ["serve", "--port", "0"], /Inlet listening on (http:\/\/\S+)/, {
    INLET_RUN_MODE: "fleet",
  });
}

export function startWorkerProcess(cluster: ClusterEnv, name: string, concurrency: number): Promise<InletProcess> {
  return launch(cluster, name, ["worker", "--concurrency", String(concurrency)], /Inlet worker (\S+) running/);
}

/** Runs `inlet <args>` to the end; its stdout. */
export async function runInlet(cluster: ClusterEnv, args: string[]): Promise<string> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: {
      ...process.env,
      INLET_MASTER_KEY: masterKey,
      INLET_DATA_DIR: cluster.dataDir,
      INLET_DATABASE_URL: cluster.databaseUrl,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const code = await exited(child);
  if (code !== 0) throw new Error(`inlet ${args.join(" ")} exited with ${code}: ${err}`);
  return out;
}

export async function adminApi(cluster: ClusterEnv, url: string): Promise<FlowApi> {
  const store = await openMetadataStore({ kind: "postgres", url: cluster.databaseUrl });
  try {
    return new FlowApi(url, await issueToken(store, "CLUSTER@AdobeOrg", "admin"));
  } finally {
    await store.close();
  }
}

export interface AccountPlan {
  readonly name: string;
  readonly flows: number;
  readonly maxConcurrentRuns: number;
  readonly requestsPerMinute?: number;
  /** The connection spec's delayRequestMillis. */
  readonly delayRequestMillis?: number;
  readonly sink: "parquet" | "postgres";
  readonly pageSize: number;
}

export interface PlannedFlow {
  readonly flowId: string;
  readonly datasetId: string;
  readonly account: string;
  readonly sink: "parquet" | "postgres";
}

/**
 * One connection spec and one base connection (with its `limits`) per account; per flow a source
 * connection on that base connection, a dataset in the account's sink, a target connection, a
 * mapping set and the flow itself, with the given schedule.
 */
export async function createAccountFlows(
  api: FlowApi,
  apiUrl: string,
  plans: readonly AccountPlan[],
  scheduleParams: (account: string, index: number) => Record<string, unknown>,
): Promise<PlannedFlow[]> {
  const flows: PlannedFlow[] = [];
  for (const plan of plans) {
    const specId = await registerSpec(
      api,
      accountsSpec(apiUrl, `Account ${plan.name}`, plan.pageSize, plan.delayRequestMillis),
    );
    const connectionSpec = { id: specId, version: "1.0" };
    const base = await api.ok("POST", "/connections", {
      name: `account ${plan.name}`,
      connectionSpec,
      auth: { specName: "Basic Authentication", params: { username: plan.name, password: "secret" } },
      limits: {
        maxConcurrentRuns: plan.maxConcurrentRuns,
        ...(plan.requestsPerMinute === undefined ? {} : { requestsPerMinute: plan.requestsPerMinute }),
      },
    });
    const baseConnectionId = base.body.id as string;
    for (let i = 0; i < plan.flows; i++) {
      const source = await api.ok("POST", "/sourceConnections", {
        name: `${plan.name} source ${i}`,
        baseConnectionId,
        connectionSpec,
        data: { format: "json" },
        params: {},
      });
      const dataset = await api.ok("POST", "/data/foundation/catalog/dataSets", {
        name: `${plan.name} dataset ${i}`,
        schema: windowedSchema,
        sink: plan.sink,
      });
      const datasetId = String(dataset.body[0]).replace("@/dataSets/", "");
      const target = await api.ok("POST", "/targetConnections", {
        name: `${plan.name} target ${i}`,
        connectionSpec: { id: dataLakeSpecId, version: "1.0" },
        data: { format: "parquet_xdm" },
        params: { dataSetId: datasetId },
      });
      const mapping = await api.ok("POST", "/data/foundation/conversion/mappingSets", {
        dataSetId: datasetId,
        mappings: windowedMappings,
      });
      const flow = await api.ok("POST", "/flows", {
        name: `${plan.name} flow ${i}`,
        flowSpec: { id: "6499120c-0b15-42dc-936e-847ea3c24d72", version: "1.0" },
        sourceConnectionIds: [source.body.id],
        targetConnectionIds: [target.body.id],
        transformations: [{ name: "Mapping", params: { mappingId: mapping.body.id, mappingVersion: 0 } }],
        scheduleParams: scheduleParams(plan.name, i),
      });
      flows.push({ flowId: flow.body.id as string, datasetId, account: plan.name, sink: plan.sink });
    }
  }
  return flows;
}
