/**
 * What an `inlet worker` does with a run's job: claim the run row, execute the window, heartbeat
 * the run while it reads, and record its end; then tell the leader, so the flow's next window is
 * scheduled at once.
 *
 * - Claim (`StoreRunQueue.claimRun`): a pending run, or an inProgress one whose owner is gone: its
 *   worker no longer heartbeats (the queue's worker table), or its run heartbeat is older than the
 *   stale period. A taken-over run resumes from its batch's last checkpoint when the sink kept one
 *   (execute-run.ts), otherwise it reads its window again; it commits its batch under the same id,
 *   which replaces whatever the dead worker committed: each window's records are in the dataset once.
 * - A run started more than `maxRunAttempts` times (its workers keep dying) fails instead of
 *   running again, so one poisonous window cannot crash the fleet forever.
 * - Stop (SIGTERM): the queue aborts the handler after its grace period; the run is released
 *   (`pending`) and the job queued again for any worker.
 * - A run whose claim was lost (another worker took it over after missed heartbeats) is aborted
 *   without writing; its job belongs to the other worker.
 * - An error of the machinery itself (the database) releases the run and rethrows: the queue retries
 *   the job with backoff.
 */
import type { DatasetSink } from "../datasets/dataset-sink.ts";
import type { HttpSettings } from "../engine/index.ts";
import { type ExecuteRunDeps, executeRun } from "../flows/execute-run.ts";
import { emptyFigures } from "../flows/run-doc.ts";
import { runErrorCodes } from "../flows/run-metrics.ts";
import type { RunClaim, RunLog, StoreRunQueue } from "../flows/run-queue.ts";
import { type JobContext, type JobHandler, type JobQueue, JobReleased, type RunJob } from "../queue/job-queue.ts";
import type { SecretBox } from "../secrets/secret-box.ts";
import type { MetadataStore } from "../store/metadata-store.ts";

export interface RunJobDeps {
  readonly store: MetadataStore;
  readonly secrets: SecretBox;
  readonly datasets: DatasetSink;
  readonly runs: StoreRunQueue;
  readonly queue: JobQueue;
  readonly log: RunLog;
  readonly pace?: ExecuteRunDeps["pace"];
  /** Tells the scheduler's leader that a flow is free for its next run. */
  readonly notifyLeader: () => Promise<void>;
  readonly now: () => number;
  readonly http?: Partial<HttpSettings> | undefined;
}

export interface RunJobSettings {
  readonly heartbeatMs: number;
  readonly staleAfterMs: number;
  /** Default 5. */
  readonly maxRunAttempts?: number;
}

class ClaimLost extends Error {
  override readonly name = "ClaimLost";
}

export function runJobHandler(deps: RunJobDeps, settings: RunJobSettings): JobHandler {
  const startedAt = deps.now();
  const maxRunAttempts = settings.maxRunAttempts ?? 5;

  const ownerGone = async (execution: { owner: string | null; heartbeatAt: number | null }) => {
    if (execution.owner === null || execution.heartbeatAt === null) return true;
    // Run heartbeats are written with the owner's clock: allow for a few seconds of skew.
    if (execution.heartbeatAt < deps.now() - settings.staleAfterMs - 5_000) return true;
    return !(await deps.queue.isWorkerAlive(execution.owner));
  };

  return async (job: RunJob, context: JobContext) => {
    const scope = { orgId: job.orgId, sandboxName: job.sandboxName };
    const owner = { id: context.workerId, startedAt };
    const claimed = await deps.runs.claimRun(scope, job.runId, owner, ownerGone);
    const logContext = { flowId: job.flowId, runId: job.runId, jobAttempt: context.attempt };
    if (claimed.kind !== "claimed") {
      if (claimed.kind === "finished") await deps.notifyLeader().catch(() => undefined);
      deps.log.info({ ...logContext, outcome: claimed.kind }, "nothing to run for this job");
      return;
    }
    const claim = claimed.claim;
    const context2 = {
      ...logContext,
      attempt: claim.execution.attempt,
      windowStart: new Date(claim.execution.window.start).toISOString(),
      windowEnd: new Date(claim.execution.window.end).toISOString(),
    };
    try {
      if (claim.execution.attempt > maxRunAttempts) {
        await giveUp(deps, claim, maxRunAttempts);
        deps.log.warn(context2, "run started too many times without finishing; marked failed");
      } else {
        await execute(deps, settings, claim, context, context2);
      }
    } catch (error) {
      if (error instanceof JobReleased || error instanceof ClaimLost) {
        if (error instanceof ClaimLost) return;
        throw error;
      }
      deps.log.error({ ...context2, err: (error as Error).message }, "run machinery failed; releasing the run");
      await deps.runs.release(claim).catch(() => undefined);
      throw error;
    }
    await deps.notifyLeader().catch(() => undefined);
  };
}

async function giveUp(deps: RunJobDeps, claim: RunClaim, maxRunAttempts: number): Promise<void> {
  const now = deps.now();
  const figures = {
    ...emptyFigures(claim.flow.doc, claim.execution, "failed"),
    completedAt: now,
    errors: [
      {
        code: runErrorCodes.internal,
        message: `The run was started ${maxRunAttempts} times and its worker stopped each time; Inlet gave up on this window.`,
      },
    ],
  };
  await deps.runs.finish(claim, { state: "failed", figures });
}

async function execute(
  deps: RunJobDeps,
  settings: RunJobSettings,
  claim: RunClaim,
  context: JobContext,
  logContext: object,
): Promise<void> {
  const controller = new AbortController();
  const onStop = () => controller.abort(context.signal.reason);
  if (context.signal.aborted) onStop();
  else context.signal.addEventListener("abort", onStop, { once: true });
  let lost = false;
  let writes: Promise<unknown> = Promise.resolve();
  const serialised = <T>(write: () => Promise<T>): Promise<T> => {
    const next = writes.then(write, write);
    writes = next.catch(() => undefined);
    return next;
  };
  deps.log.info(logContext, "run started");
  const execution = executeRun(
    {
      store: deps.store,
      secrets: deps.secrets,
      datasets: deps.datasets,
      now: deps.now,
      http: deps.http,
      pace: deps.pace,
    },
    claim,
    controller.signal,
  );
  let ended = false;
  const heartbeat = setInterval(() => {
    if (ended || lost) return;
    serialised(() => deps.runs.heartbeat(claim, execution.progress()))
      .then((kept) => {
        if (!kept && !ended) {
          lost = true;
          controller.abort(new ClaimLost("another worker took the run over"));
          deps.log.warn(logContext, "lost the claim on a run; aborting it");
        }
      })
      .catch((error: Error) => deps.log.warn({ ...logContext, err: error.message }, "run heartbeat failed"));
  }, settings.heartbeatMs);
  heartbeat.unref();
  try {
    const result = await execution.done;
    ended = true;
    clearInterval(heartbeat);
    await writes;
    if (lost || controller.signal.reason instanceof ClaimLost) throw new ClaimLost("claim lost");
    if (result.state === "aborted") {
      const reason: unknown = context.signal.reason;
      // The queue declared this worker dead: the run belongs to whoever claims it next; write nothing.
      if (reason instanceof Error && reason.name === "LostJob") throw new ClaimLost("worker declared dead");
      await serialised(() => deps.runs.release(claim));
      deps.log.info(logContext, "run released unfinished; its window will be read again");
      throw new JobReleased("the worker is stopping");
    }
    const finished = await serialised(() => deps.runs.finish(claim, result));
    if (!finished) {
      deps.log.warn(logContext, "run was taken over by another worker; its result is discarded");
      return;
    }
    const { figures } = result;
    deps.log.info(
      {
        ...logContext,
        state: result.state,
        records: figures.read.records,
        written: figures.written,
        errors: figures.errors.map((e) => e.code),
      },
      "run finished",
    );
  } finally {
    ended = true;
    clearInterval(heartbeat);
    context.signal.removeEventListener("abort", onStop);
  }
}
