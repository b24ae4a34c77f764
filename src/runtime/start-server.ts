import { mkdir } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../api/app.ts";
import { seedBuiltins } from "../catalog/seed-builtins.ts";
import type { InletConfig } from "../config.ts";
import { openDatasetSink } from "../datasets/postgres/open-datasets.ts";
import { FleetRunner } from "../fleet/fleet-runner.ts";
import {
  createEmbeddedRunner,
  type FlowRunner,
  type RunLog,
  type RunnerSettings,
  silentRunLog,
} from "../flows/index.ts";
import { loadSecretBox } from "../secrets/aes-gcm/load-secret-box.ts";
import { openMetadataStore } from "../store/create-store.ts";
import type { MetadataStore } from "../store/metadata-store.ts";

export interface RunningServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly store: MetadataStore;
  close(): Promise<void>;
}

export interface StartServerOptions {
  readonly logging?: boolean;
  /** Overrides of the embedded runner's settings (tests: a clock, a short poll, fast HTTP). */
  readonly runner?: Partial<RunnerSettings>;
}

/** The composition root of `inlet serve`: store, built-ins, HTTP app, listening socket, flow runner. */
export async function startServer(config: InletConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  await mkdir(config.dataDir, { recursive: true });
  const secrets = loadSecretBox({ masterKey: config.masterKey, dataDir: config.dataDir });
  const store = await openMetadataStore(config.database);
  // Parquet under the data dir, and PostgreSQL datasets when there is a dataset database.
  const datasets = openDatasetSink({ dataDir: config.dataDir, datasetDatabaseUrl: config.datasetDatabaseUrl });
  // The runner logs through the app's logger once there is one.
  let log: RunLog = silentRunLog;
  const runLog: RunLog = {
    info: (details, message) => log.info(details, message),
    warn: (details, message) => log.warn(details, message),
    error: (details, message) => log.error(details, message),
  };
  // Fleet mode (PostgreSQL): this process serves the API and, when elected, schedules; `inlet worker`s run.
  const runner: FlowRunner =
    config.runMode === "fleet" && config.database.kind === "postgres"
      ? new FleetRunner(
          { store, url: config.database.url, log: runLog },
          {
            pollMs: options.runner?.pollMs ?? config.runPollMs,
            leaderRetryMs: config.fleet.leaderRetryMs,
            staleAfterMs: config.fleet.staleAfterMs,
            jobMaxAttempts: config.fleet.jobMaxAttempts,
          },
        )
      : createEmbeddedRunner(
          { store, secrets, datasets, log: runLog },
          {
            concurrency: config.runConcurrency,
            pollMs: config.runPollMs,
            ...options.runner,
            http: { egress: config.egress, ...options.runner?.http },
          },
        );
  try {
    await seedBuiltins(store);
    const app = await buildApp({ config, store, secrets, datasets, runner, logging: options.logging ?? true });
    log = app.log.child({ component: "runner" });
    const address = await app.listen({ port: config.port, host: config.host });
    await runner.start();
    return {
      url: address,
      app,
      store,
      close: async () => {
        await runner.stop();
        await app.close();
        await datasets.close();
        await store.close();
      },
    };
  } catch (error) {
    await datasets.close();
    await store.close();
    throw error;
  }
}
