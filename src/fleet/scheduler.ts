/**
 * The fleet's scheduler, run by the leader only (leader.ts). A pass advances every flow through
 * the run state machine without claiming anything (`StoreRunQueue.advanceAll`: due windows and
 * queued on-demand runs become pending runs, finished runs free their flow), then makes sure every
 * unfinished active run has a live job: the runs without one (new, or whose job graphile gave up
 * on) are enqueued, one job per (flow, window). A flow has at most one active run, so its windows
 * run one after another, in order.
 *
 * Passes happen when the next idle flow's window is due (a timer), on a wake (NOTIFY from an API
 * process or a worker that finished a run), and at least every `pollMs`.
 *
 * The job's group is the flow's base connection (`base:<id>`) with the connection's
 * `limits.maxConcurrentRuns` (default 1), looked up once a minute per flow.
 */
import type { ActiveRun, RunLog, StoreRunQueue } from "../flows/run-queue.ts";
import type { JobQueue, RunJob } from "../queue/job-queue.ts";
import type { MetadataStore } from "../store/metadata-store.ts";
import { baseConnectionOfFlow, connectionLimits } from "./limits.ts";

export interface FleetSchedulerOptions {
  readonly store: MetadataStore;
  readonly runs: StoreRunQueue;
  readonly queue: JobQueue;
  readonly log: RunLog;
  /** The longest wait between two passes (default 5 s). */
  readonly pollMs: number;
  readonly now?: () => number;
}

const groupTtlMs = 60_000;

export class FleetScheduler {
  readonly #options: FleetSchedulerOptions;
  readonly #groups = new Map<string, { group: RunJob["group"]; at: number }>();
  #running = false;
  #passing: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  /** Passes done (tests and diagnostics). */
  passes = 0;

  constructor(options: FleetSchedulerOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.wake();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#passing;
  }

  wake(): void {
    if (!this.#running) return;
    if (this.#passing !== undefined) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#passing = (async () => {
      let nextDueAt: number | undefined;
      do {
        this.#again = false;
        try {
          nextDueAt = await this.#pass();
        } catch (error) {
          this.#options.log.error({ err: (error as Error).message }, "scheduling pass failed");
        }
      } while (this.#again && this.#running);
      this.#passing = undefined;
      this.#plan(nextDueAt);
    })();
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #plan(nextDueAt: number | undefined): void {
    if (!this.#running) return;
    const untilDue = nextDueAt === undefined ? this.#options.pollMs : Math.max(0, nextDueAt - this.#now()) + 5;
    this.#timer = setTimeout(() => this.wake(), Math.min(untilDue, this.#options.pollMs));
    this.#timer.unref();
  }

  async #pass(): Promise<number | undefined> {
    const { active, nextDueAt } = await this.#options.runs.advanceAll();
    this.passes += 1;
    if (active.length === 0) return nextDueAt;
    const jobs = await Promise.all(active.map((run) => this.#job(run)));
    const missing = await this.#options.queue.missing(jobs);
    for (const job of missing) {
      await this.#options.queue.enqueue(job);
      this.#options.log.info(
        { flowId: job.flowId, runId: job.runId, windowStart: new Date(job.windowStart).toISOString() },
        "run queued",
      );
    }
    return nextDueAt;
  }

  async #job(active: ActiveRun): Promise<RunJob> {
    const execution = (active.run.doc.execution ?? {}) as { window?: { start?: number } };
    return {
      orgId: active.scope.orgId,
      sandboxName: active.scope.sandboxName,
      flowId: active.flow.id,
      runId: active.run.id,
      windowStart: execution.window?.start ?? 0,
      group: await this.#group(active),
    };
  }

  async #group(active: ActiveRun): Promise<RunJob["group"]> {
    const cached = this.#groups.get(active.flow.id);
    const now = this.#now();
    if (cached && now - cached.at < groupTtlMs) return cached.group;
    const base = await baseConnectionOfFlow(this.#options.store, active.scope, active.flow.doc);
    const group = base ? { key: `base:${base.id}`, limit: connectionLimits(base.doc).maxConcurrentRuns } : undefined;
    this.#groups.set(active.flow.id, { group, at: now });
    return group;
  }
}
