/**
 * The `FlowRunner` of `inlet serve` in fleet mode (INLET_RUN_MODE=fleet, PostgreSQL): this process
 * runs no flow run itself. It competes for the scheduler's leadership (leader.ts); while it leads,
 * its FleetScheduler turns due windows into pending runs and queues one job per run
 * (graphile-worker), which `inlet worker` processes execute. `wake()` (a flow created or enabled, a
 * run requested) reaches the leader wherever it runs, by NOTIFY.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { FlowRunner } from "../flows/flow-runner.ts";
import { type RunLog, StoreRunQueue } from "../flows/run-queue.ts";
import { GraphileJobQueue } from "../queue/graphile/graphile-job-queue.ts";
import type { MetadataStore } from "../store/metadata-store.ts";
import { openFleetPool, setupFleetSchema } from "./fleet-schema.ts";
import { LeaderElection, notifyLeader } from "./leader.ts";
import { FleetScheduler } from "./scheduler.ts";

export interface FleetRunnerDeps {
  readonly store: MetadataStore;
  /** The PostgreSQL the store, the queue and the fleet's tables share. */
  readonly url: string;
  readonly log: RunLog;
}

export interface FleetRunnerSettings {
  /** The longest wait between scheduling passes (INLET_RUN_POLL_MS). */
  readonly pollMs: number;
  readonly leaderRetryMs: number;
  readonly staleAfterMs: number;
  readonly jobMaxAttempts: number;
  readonly now?: (() => number) | undefined;
  readonly id?: string | undefined;
}

export class FleetRunner implements FlowRunner {
  readonly id: string;
  readonly #deps: FleetRunnerDeps;
  readonly #settings: FleetRunnerSettings;
  #pool: pg.Pool | undefined;
  #queue: GraphileJobQueue | undefined;
  #scheduler: FleetScheduler | undefined;
  #leader: LeaderElection | undefined;

  constructor(deps: FleetRunnerDeps, settings: FleetRunnerSettings) {
    this.#deps = deps;
    this.#settings = settings;
    this.id = settings.id ?? randomUUID();
  }

  get isLeader(): boolean {
    return this.#leader?.isLeader ?? false;
  }

  wake(): void {
    if (this.#leader?.isLeader) {
      this.#scheduler?.wake();
      return;
    }
    const pool = this.#pool;
    if (pool) {
      notifyLeader(pool).catch((error: Error) =>
        this.#deps.log.warn({ err: error.message }, "could not wake the scheduler's leader"),
      );
    }
  }

  async start(): Promise<void> {
    if (this.#leader) return;
    const { log, store, url } = this.#deps;
    const pool = openFleetPool(url, 2);
    this.#pool = pool;
    await setupFleetSchema(pool);
    const queue = new GraphileJobQueue({
      url,
      log,
      staleAfterMs: this.#settings.staleAfterMs,
      maxAttempts: this.#settings.jobMaxAttempts,
      workerId: this.id,
    });
    this.#queue = queue;
    await queue.migrate();
    const now = this.#settings.now ?? Date.now;
    const runs = new StoreRunQueue({
      store,
      now,
      staleAfterMs: this.#settings.staleAfterMs,
      recoverOnStart: false,
      log,
    });
    const scheduler = new FleetScheduler({ store, runs, queue, log, pollMs: this.#settings.pollMs, now });
    this.#scheduler = scheduler;
    this.#leader = new LeaderElection({
      url,
      id: this.id,
      retryMs: this.#settings.leaderRetryMs,
      log,
      onElected: () => scheduler.start(),
      onDeposed: () => scheduler.stop(),
      onWake: () => scheduler.wake(),
    });
    await this.#leader.start();
  }

  async stop(): Promise<void> {
    await this.#leader?.stop();
    await this.#scheduler?.stop();
    await this.#queue?.close();
    await this.#pool?.end();
    this.#leader = undefined;
    this.#scheduler = undefined;
    this.#queue = undefined;
    this.#pool = undefined;
  }
}
