/**
 * Flows and runs: schedule arithmetic (schedule.ts), states (states.ts), the per-flow cursor
 * (flow-cursor.ts), flow validation (flow-definition.ts), the run queue with its claims
 * (run-queue.ts), the executor (execute-run.ts) and the embedded runner (embedded-runner.ts).
 * `createEmbeddedRunner` composes the last three for `inlet serve`.
 */
import type { DatasetSink } from "../datasets/dataset-sink.ts";
import type { HttpSettings } from "../engine/index.ts";
import type { SecretBox } from "../secrets/secret-box.ts";
import type { MetadataStore } from "../store/metadata-store.ts";
import { EmbeddedRunner } from "./embedded-runner.ts";
import { executeRun } from "./execute-run.ts";
import { type RunLog, StoreRunQueue } from "./run-queue.ts";

export { EmbeddedRunner } from "./embedded-runner.ts";
export type { FlowRunner } from "./flow-runner.ts";
export type { RunLog } from "./run-queue.ts";

export interface RunnerSettings {
  readonly concurrency: number;
  readonly pollMs: number;
  /** How often a running window's owner says it is alive (default 10 s). */
  readonly heartbeatMs?: number | undefined;
  /** When a silent owner is considered gone (default 6 heartbeats). */
  readonly staleAfterMs?: number | undefined;
  /** The clock, epoch ms (tests inject one). */
  readonly now?: (() => number) | undefined;
  /** Engine HTTP overrides (timeouts, retries). */
  readonly http?: Partial<HttpSettings> | undefined;
  readonly ownerId?: string | undefined;
}

export interface RunnerDeps {
  readonly store: MetadataStore;
  readonly secrets: SecretBox;
  readonly datasets: DatasetSink;
  readonly log: RunLog;
}

export const silentRunLog: RunLog = { info() {}, warn() {}, error() {} };

/** The runner of `inlet serve`: one process, so every run left inProgress at its start is recovered. */
export function createEmbeddedRunner(deps: RunnerDeps, settings: RunnerSettings): EmbeddedRunner {
  const now = settings.now ?? Date.now;
  const heartbeatMs = settings.heartbeatMs ?? 10_000;
  const queue = new StoreRunQueue({
    store: deps.store,
    now,
    staleAfterMs: settings.staleAfterMs ?? heartbeatMs * 6,
    recoverOnStart: true,
    log: deps.log,
  });
  return new EmbeddedRunner({
    queue,
    execute: (claim, signal) =>
      executeRun(
        { store: deps.store, secrets: deps.secrets, datasets: deps.datasets, now, http: settings.http },
        claim,
        signal,
      ),
    concurrency: settings.concurrency,
    pollMs: settings.pollMs,
    heartbeatMs,
    now,
    log: deps.log,
    ...(settings.ownerId === undefined ? {} : { ownerId: settings.ownerId }),
  });
}
