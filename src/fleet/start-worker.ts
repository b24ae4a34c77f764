/**
 * The composition root of `inlet worker`: the metadata store (PostgreSQL), the secret box, the
 * dataset sinks, the job queue and the fleet pacer, and the run handler on top. Runs until
 * `close()`, which stops taking jobs, lets running runs finish within the grace period and releases
 * the rest.
 */
import { mkdir } from "node:fs/promises";
import type { InletConfig } from "../config.ts";
import { openDatasetSink } from "../datasets/postgres/open-datasets.ts";
import type { HttpSettings } from "../engine/index.ts";
import { type RunLog, StoreRunQueue } from "../flows/run-queue.ts";
import { GraphileJobQueue } from "../queue/graphile/graphile-job-queue.ts";
import { loadSecretBox } from "../secrets/aes-gcm/load-secret-box.ts";
import { openMetadataStore } from "../store/create-store.ts";
import { openFleetPool, setupFleetSchema } from "./fleet-schema.ts";
import { notifyLeader } from "./leader.ts";
import { fleetPace } from "./limits.ts";
import { FleetPacer } from "./rate-limit.ts";
import { runJobHandler } from "./run-worker.ts";

export interface RunningWorker {
  readonly id: string;
  close(): Promise<void>;
}

export interface StartWorkerOptions {
  readonly log: RunLog;
  /** Engine HTTP overrides (tests). */
  readonly http?: Partial<HttpSettings> | undefined;
}

export class WorkerConfigError extends Error {
  override readonly name = "WorkerConfigError";
}

export async function startWorker(config: InletConfig, options: StartWorkerOptions): Promise<RunningWorker> {
  if (config.database.kind !== "postgres") {
    throw new WorkerConfigError(
      "inlet worker needs PostgreSQL: pass --database-url postgres://… (or set INLET_DATABASE_URL)",
    );
  }
  const url = config.database.url;
  const { fleet } = config;
  const log = options.log;
  await mkdir(config.dataDir, { recursive: true });
  const secrets = loadSecretBox({ masterKey: config.masterKey, dataDir: config.dataDir });
  const store = await openMetadataStore(config.database);
  const datasets = openDatasetSink({ dataDir: config.dataDir, datasetDatabaseUrl: config.datasetDatabaseUrl });
  const pool = openFleetPool(url, 4);
  const queue = new GraphileJobQueue({
    url,
    log,
    heartbeatMs: fleet.heartbeatMs,
    staleAfterMs: fleet.staleAfterMs,
    shutdownGraceMs: fleet.shutdownGraceMs,
    maxAttempts: fleet.jobMaxAttempts,
  });
  try {
    await setupFleetSchema(pool);
    await queue.migrate();
    const now = Date.now;
    const runs = new StoreRunQueue({ store, now, staleAfterMs: fleet.staleAfterMs, recoverOnStart: false, log });
    const handler = runJobHandler(
      {
        store,
        secrets,
        datasets,
        runs,
        queue,
        log,
        pace: fleetPace(store, new FleetPacer(pool)),
        notifyLeader: () => notifyLeader(pool),
        now,
        http: { egress: config.egress, ...options.http },
      },
      { heartbeatMs: fleet.heartbeatMs, staleAfterMs: fleet.staleAfterMs },
    );
    await queue.start(handler, { concurrency: fleet.workerConcurrency });
  } catch (error) {
    await queue.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await datasets.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
  return {
    id: queue.workerId,
    close: async () => {
      await queue.close();
      await pool.end();
      await datasets.close();
      await store.close();
    },
  };
}
