/**
 * The runner inside `inlet serve`: polls the run queue every `pollMs` (and at once on `wake()`),
 * runs at most `concurrency` windows at a time, heartbeats the runs it holds, and on stop aborts
 * them and gives them back (`pending`), so whichever process starts next reads their windows again.
 * A run it lost (another process took it over after missed heartbeats) is aborted without writing.
 *
 * It knows the queue only through `RunQueue` and the work only through `execute`, so tests drive
 * it with a fake clock and a fake executor, and a worker fleet can swap the queue.
 */
import { randomUUID } from "node:crypto";
import type { ExecutionResult, RunExecution } from "./execute-run.ts";
import type { FlowRunner } from "./flow-runner.ts";
import type { RunClaim, RunLog, RunOwner, RunQueue } from "./run-queue.ts";

export interface EmbeddedRunnerOptions {
  readonly queue: RunQueue;
  readonly execute: (claim: RunClaim, signal: AbortSignal) => RunExecution;
  /** Windows run at the same time, across all flows (a flow never runs two). */
  readonly concurrency: number;
  readonly pollMs: number;
  readonly heartbeatMs: number;
  readonly now: () => number;
  readonly log: RunLog;
  /** Defaults to a fresh UUID: every process start is a new owner. */
  readonly ownerId?: string;
}

interface Running {
  readonly claim: RunClaim;
  readonly controller: AbortController;
  readonly execution: RunExecution;
  /** Writes to the run row, one at a time (each is a compare-and-set on the claim's etag). */
  writes: Promise<unknown>;
  lost: boolean;
  /** Set once the execution ended: no more heartbeats. */
  ended: boolean;
  settled?: Promise<void>;
}

export class EmbeddedRunner implements FlowRunner {
  readonly #options: EmbeddedRunnerOptions;
  readonly #running = new Map<string, Running>();
  #owner: RunOwner | undefined;
  #stopped = true;
  #ticking: Promise<void> | undefined;
  #again = false;
  #pollTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(options: EmbeddedRunnerOptions) {
    if (!Number.isSafeInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error(`The run concurrency must be a positive integer, got ${options.concurrency}`);
    }
    this.#options = options;
  }

  /** The runs this process is executing now. */
  get runningCount(): number {
    return this.#running.size;
  }

  wake(): void {
    if (this.#stopped) return;
    void this.#tick();
  }

  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#owner = { id: this.#options.ownerId ?? randomUUID(), startedAt: this.#options.now() };
    this.#pollTimer = setInterval(() => this.wake(), this.#options.pollMs);
    this.#heartbeatTimer = setInterval(() => void this.#heartbeatAll(), this.#options.heartbeatMs);
    this.#pollTimer.unref();
    this.#heartbeatTimer.unref();
    this.#options.log.info({ owner: this.#owner.id, concurrency: this.#options.concurrency }, "flow runner started");
    this.wake();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#pollTimer);
    clearInterval(this.#heartbeatTimer);
    await this.#ticking;
    for (const running of this.#running.values()) running.controller.abort();
    await Promise.all([...this.#running.values()].map((running) => running.settled));
    this.#options.log.info({ owner: this.#owner?.id }, "flow runner stopped");
  }

  /** One claim pass now (repeated while wakes arrive during it); resolves when it ends. */
  tick(): Promise<void> {
    return this.#tick();
  }

  /** Resolves once a pass claims nothing while nothing runs (tests: "every due window has run"). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.#tick();
      if (this.#running.size === 0) {
        await this.#tick();
        if (this.#running.size === 0) return;
      }
      await Promise.race([...this.#running.values()].map((running) => running.settled));
      if (Date.now() > deadline) throw new Error("The runner did not become idle in time");
    }
  }

  #tick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#ticking !== undefined) {
      this.#again = true;
      return this.#ticking;
    }
    const ticking = (async () => {
      do {
        this.#again = false;
        await this.#pass();
      } while (this.#again && !this.#stopped);
    })()
      .catch((error: unknown) => this.#options.log.error({ err: errorText(error) }, "flow runner pass failed"))
      .finally(() => {
        this.#ticking = undefined;
      });
    this.#ticking = ticking;
    return ticking;
  }

  async #pass(): Promise<void> {
    const owner = this.#owner;
    const free = this.#options.concurrency - this.#running.size;
    if (owner === undefined || free <= 0) return;
    const claims = await this.#options.queue.claimDue(owner, free);
    for (const claim of claims) {
      if (this.#stopped) {
        await this.#options.queue.release(claim).catch(() => undefined);
        continue;
      }
      this.#launch(claim);
    }
  }

  #launch(claim: RunClaim): void {
    const { queue, log } = this.#options;
    const controller = new AbortController();
    const execution = this.#options.execute(claim, controller.signal);
    const running: Running = { claim, controller, execution, writes: Promise.resolve(), lost: false, ended: false };
    this.#running.set(claim.runId, running);
    const context = {
      flowId: claim.flow.id,
      runId: claim.runId,
      attempt: claim.execution.attempt,
      windowStart: new Date(claim.execution.window.start).toISOString(),
      windowEnd: new Date(claim.execution.window.end).toISOString(),
    };
    log.info(context, "run started");
    const settle = async (result: ExecutionResult) => {
      running.ended = true;
      if (running.lost) return;
      if (result.state === "aborted") {
        await this.#serialised(running, () => queue.release(claim));
        log.info(context, "run released unfinished; its window will be read again");
        return;
      }
      const finished = await this.#serialised(running, () => queue.finish(claim, result));
      if (!finished) {
        log.warn(context, "run was taken over by another process; its result is discarded");
        return;
      }
      const { figures } = result;
      log.info(
        {
          ...context,
          state: result.state,
          records: figures.read.records,
          written: figures.written,
          failed: figures.mappingFailures + figures.schemaFailures,
          errors: figures.errors.map((e) => e.code),
        },
        "run finished",
      );
    };
    running.settled = execution.done
      .then(settle)
      .catch((error: unknown) => log.error({ ...context, err: errorText(error) }, "could not record the run's end"))
      .finally(() => {
        this.#running.delete(claim.runId);
        this.wake();
      });
  }

  #serialised<T>(running: Running, write: () => Promise<T>): Promise<T> {
    const next = running.writes.then(write, write);
    running.writes = next.catch(() => undefined);
    return next;
  }

  async #heartbeatAll(): Promise<void> {
    await Promise.all(
      [...this.#running.values()].map(async (running) => {
        if (running.lost || running.ended || running.controller.signal.aborted) return;
        try {
          const kept = await this.#serialised(running, () =>
            this.#options.queue.heartbeat(running.claim, running.execution.progress()),
          );
          if (!kept && !running.controller.signal.aborted) {
            running.lost = true;
            running.controller.abort();
            this.#options.log.warn({ runId: running.claim.runId }, "lost the claim on a run; aborting it");
          }
        } catch (error) {
          this.#options.log.warn({ runId: running.claim.runId, err: errorText(error) }, "heartbeat failed");
        }
      }),
    );
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
