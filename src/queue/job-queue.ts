/**
 * The `JobQueue` port: how the fleet's scheduler hands flow runs to worker processes. One job per
 * run; the job's key is its (flow, window), so a window is never queued twice. The embedded runner
 * of `inlet serve` on SQLite does not use this port: it claims runs straight from the store
 * (src/flows/run-queue.ts), in one process, and stays as it is.
 *
 * Contract of an implementation:
 * - `enqueue` adds the job of a run, or updates the waiting job with the same key (never a second one);
 * - a started queue calls the handler for at most `concurrency` jobs at once in this process, and
 *   for at most `group.limit` jobs of one group at once across every process (Nango's group_key /
 *   max_concurrency): a job whose group is full waits, without using up an attempt;
 * - the handler resolving ends the job; throwing retries it later with backoff, up to
 *   `maxAttempts`; throwing `JobReleased` puts it back at once without using an attempt;
 * - the queue heartbeats for its process; the jobs of a process that stopped heartbeating are handed
 *   to another process (the handler then finds its run owned by a dead process and takes it over);
 * - `stop()` takes no new job, lets running handlers finish for a grace period, then aborts their
 *   signal: the handler releases its run and throws `JobReleased`, so the job is queued again.
 */

/** A run to execute: which flow, which window, in which tenant scope. */
export interface RunJob {
  readonly orgId: string;
  readonly sandboxName: string;
  readonly flowId: string;
  readonly runId: string;
  /** Epoch ms; with the flow id, the job's key. */
  readonly windowStart: number;
  /** Jobs of one group (an upstream account: the base connection) run at most `limit` at once, fleet-wide. */
  readonly group?: { readonly key: string; readonly limit: number } | undefined;
}

export interface EnqueueOptions {
  /** Not before this time (default now). */
  readonly runAt?: Date | undefined;
}

export interface JobContext {
  /** Aborted when this process stops (after the grace period) or lost the job to another process. */
  readonly signal: AbortSignal;
  /** 1 on the first try. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** The process's id: the run's owner while the handler holds it. */
  readonly workerId: string;
}

export type JobHandler = (job: RunJob, context: JobContext) => Promise<void>;

export interface StartOptions {
  /** Jobs this process runs at once. */
  readonly concurrency: number;
}

export interface JobQueue {
  /** This process's id among the workers (run owner ids). */
  readonly workerId: string;
  /** Creates what the queue needs in the database; safe from several processes at once. */
  migrate(): Promise<void>;
  enqueue(job: RunJob, options?: EnqueueOptions): Promise<void>;
  /** Whether a worker process is alive: it heartbeated within the stale period. */
  isWorkerAlive(workerId: string): Promise<boolean>;
  /** The jobs among these that have no live job (neither waiting, nor running, nor retrying). */
  missing(jobs: readonly RunJob[]): Promise<RunJob[]>;
  start(handler: JobHandler, options: StartOptions): Promise<void>;
  /** Stops taking jobs; running handlers finish or are aborted after the grace period and release. */
  stop(): Promise<void>;
  /** Frees the queue's connections (after `stop`). */
  close(): Promise<void>;
}

/** Thrown by a handler that gave its job back unfinished (the process is stopping): queued again at once. */
export class JobReleased extends Error {
  override readonly name = "JobReleased";
}

/** The job key of a run: one per (flow, window). */
export function runJobKey(job: Pick<RunJob, "flowId" | "windowStart">): string {
  return `run:${job.flowId}:${job.windowStart}`;
}

export interface QueueLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}
