/**
 * `JobQueue` on graphile-worker 0.17 (its own schema `graphile_worker` in the same PostgreSQL).
 *
 * - One task, `inlet_run`; the job key is `run:<flowId>:<windowStart>` with `job_key_mode:
 *   'preserve_run_at'`, so enqueueing a window again updates its waiting job instead of adding one.
 * - Retries: a handler that throws is retried with graphile's exponential backoff (e^attempt
 *   seconds: 3 s, 7 s, 20 s, 55 s, …) up to `maxAttempts`.
 * - Groups (an upstream account): a group of limit 1 is also a graphile named queue
 *   `group:<key>`, which graphile serialises itself; every group, whatever its limit, takes a slot
 *   of a PostgreSQL semaphore (queue-schema.ts) before its handler runs. A job whose group is full
 *   is put back for `groupRetryMs` (plus jitter) by adding it again under its key: graphile then
 *   drops the key from the running copy and queues a fresh one, so no attempt is used up.
 * - Liveness: each process has a row in `inlet_queue.workers` with graphile's pool id and a
 *   heartbeat. Every heartbeat also sweeps: jobs and named queues locked by a pool that has no live
 *   row (stale for `staleAfterMs`) are unlocked with graphile's `force_unlock_workers`, so another
 *   worker runs them (graphile alone would wait 4 hours). A process that finds its own row gone
 *   was declared dead: it aborts its handlers (their jobs belong to others now) and registers again.
 * - Shutdown: `stop()` asks graphile for a graceful shutdown (no new jobs); running handlers get
 *   `shutdownGraceMs` to finish, then their signal aborts and they release (JobReleased: the job is
 *   added again for now, without using an attempt).
 *
 * The sweep reads graphile's private tables (`_private_jobs`, `_private_job_queues`): fine for the
 * pinned 0.17 line; revisit on upgrade.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { hostname } from "node:os";
import {
  type JobHelpers,
  type LogFunctionFactory,
  Logger,
  makeWorkerUtils,
  type Runner,
  run,
  type WorkerEvents,
  type WorkerUtils,
} from "graphile-worker";
import pg from "pg";
import {
  type EnqueueOptions,
  type JobHandler,
  type JobQueue,
  JobReleased,
  type QueueLog,
  type RunJob,
  runJobKey,
  type StartOptions,
} from "../job-queue.ts";
import { acquireGroupSlot, queueSchema, releaseGroupSlot, setupQueueSchema } from "./queue-schema.ts";

export const runTaskName = "inlet_run";
export const graphileSchema = "graphile_worker";

export interface GraphileJobQueueOptions {
  readonly url: string;
  /** Attempts per job before graphile gives up on it (default 6: about 4 minutes of backoff in all). */
  readonly maxAttempts?: number;
  /** How often this process says it is alive and sweeps for dead ones (default 5 s). */
  readonly heartbeatMs?: number;
  /** A process silent this long is dead and its jobs go to others (default 30 s). */
  readonly staleAfterMs?: number;
  /** How long running handlers may finish after stop() before their signal aborts (default 25 s). */
  readonly shutdownGraceMs?: number;
  /** graphile's poll for jobs due later (new jobs arrive by LISTEN/NOTIFY at once; default 1 s). */
  readonly pollIntervalMs?: number;
  /** How long a job waits when its group is full (default 1 s, plus up to as much jitter). */
  readonly groupRetryMs?: number;
  /** Connections for this process's queue work besides graphile's own (default 4). */
  readonly poolSize?: number;
  readonly log: QueueLog;
  /** Defaults to a fresh UUID per process start. */
  readonly workerId?: string;
}

interface Running {
  readonly controller: AbortController;
  readonly done: Promise<unknown>;
}

function parseJob(payload: unknown): RunJob {
  const p = (payload ?? {}) as Record<string, unknown>;
  const group = p.group as { key?: unknown; limit?: unknown } | undefined;
  if (typeof p.flowId !== "string" || typeof p.runId !== "string" || typeof p.windowStart !== "number") {
    throw new Error(`Not an ${runTaskName} payload: ${JSON.stringify(payload).slice(0, 200)}`);
  }
  return {
    orgId: String(p.orgId ?? ""),
    sandboxName: String(p.sandboxName ?? ""),
    flowId: p.flowId,
    runId: p.runId,
    windowStart: p.windowStart,
    ...(group && typeof group.key === "string" && typeof group.limit === "number"
      ? { group: { key: group.key, limit: group.limit } }
      : {}),
  };
}

export class GraphileJobQueue implements JobQueue {
  readonly workerId: string;
  readonly #options: GraphileJobQueueOptions;
  readonly #pool: pg.Pool;
  readonly #running = new Map<string, Running>();
  readonly #maxAttempts: number;
  readonly #heartbeatMs: number;
  readonly #staleAfterMs: number;
  #utils: Promise<WorkerUtils> | undefined;
  #runner: Runner | undefined;
  #poolId: string | undefined;
  #concurrency = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  #stopping = false;

  constructor(options: GraphileJobQueueOptions) {
    this.#options = options;
    this.workerId = options.workerId ?? randomUUID();
    this.#maxAttempts = options.maxAttempts ?? 6;
    this.#heartbeatMs = options.heartbeatMs ?? 5_000;
    this.#staleAfterMs = options.staleAfterMs ?? 30_000;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: 10_000,
    });
    // An idle client losing its connection is emitted on the pool and on the client; without
    // listeners Node would crash (graphile-worker checks for both).
    this.#pool.on("error", (error) => options.log.warn({ err: error.message }, "queue database connection lost"));
    this.#pool.on("connect", (client) => client.on("error", () => undefined));
  }

  async migrate(): Promise<void> {
    await setupQueueSchema(this.#pool);
    await (await this.#workerUtils()).migrate();
  }

  async enqueue(job: RunJob, options: EnqueueOptions = {}): Promise<void> {
    const utils = await this.#workerUtils();
    await utils.addJob(runTaskName, job, this.#spec(job, options.runAt));
  }

  async isWorkerAlive(workerId: string): Promise<boolean> {
    const found = await this.#pool.query(
      `SELECT 1 FROM ${queueSchema}.workers WHERE id = $1 AND heartbeat_at >= now() - $2 * interval '1 millisecond'`,
      [workerId, this.#staleAfterMs],
    );
    return found.rows.length > 0;
  }

  async missing(jobs: readonly RunJob[]): Promise<RunJob[]> {
    if (jobs.length === 0) return [];
    const keys = jobs.map(runJobKey);
    const live = await this.#pool.query<{ key: string }>(
      `SELECT key FROM ${graphileSchema}._private_jobs WHERE key = ANY($1::text[])
         AND (locked_at IS NOT NULL OR attempts < max_attempts)`,
      [keys],
    );
    const found = new Set(live.rows.map((row) => row.key));
    return jobs.filter((job) => !found.has(runJobKey(job)));
  }

  async start(handler: JobHandler, options: StartOptions): Promise<void> {
    if (this.#runner) return;
    this.#stopping = false;
    this.#concurrency = options.concurrency;
    await this.#register();
    const events: WorkerEvents = new EventEmitter() as WorkerEvents;
    events.on("pool:create", ({ workerPool }) => {
      this.#poolId = workerPool.id;
      this.#pool
        .query(`UPDATE ${queueSchema}.workers SET pool_id = $2 WHERE id = $1`, [this.workerId, workerPool.id])
        .catch((error: Error) => this.#options.log.warn({ err: error.message }, "could not record the pool id"));
    });
    this.#runner = await run({
      connectionString: this.#options.url,
      schema: graphileSchema,
      concurrency: options.concurrency,
      maxPoolSize: options.concurrency + 2,
      noHandleSignals: true,
      pollInterval: this.#options.pollIntervalMs ?? 1_000,
      gracefulShutdownAbortTimeout: this.#options.shutdownGraceMs ?? 25_000,
      logger: this.#logger(),
      events,
      taskList: { [runTaskName]: (payload, helpers) => this.#handle(handler, payload, helpers) },
    });
    this.#heartbeat = setInterval(() => void this.#beat(), this.#heartbeatMs);
    this.#heartbeat.unref();
    this.#options.log.info(
      { workerId: this.workerId, poolId: this.#poolId, concurrency: options.concurrency },
      "queue worker started",
    );
  }

  async stop(): Promise<void> {
    const runner = this.#runner;
    if (!runner) return;
    this.#stopping = true;
    await runner.stop();
    await runner.promise.catch(() => undefined);
    this.#runner = undefined;
    clearInterval(this.#heartbeat);
    await this.#beating;
    await this.#pool.query(`DELETE FROM ${queueSchema}.workers WHERE id = $1`, [this.workerId]).catch(() => undefined);
    this.#options.log.info({ workerId: this.workerId }, "queue worker stopped");
  }

  async close(): Promise<void> {
    await this.stop();
    const utils = this.#utils;
    this.#utils = undefined;
    if (utils) await (await utils).release();
    await this.#pool.end();
  }

  /** One heartbeat and sweep now (tests). */
  heartbeatNow(): Promise<void> {
    return this.#beat();
  }

  #spec(job: RunJob, runAt: Date | undefined) {
    return {
      jobKey: runJobKey(job),
      jobKeyMode: "preserve_run_at" as const,
      maxAttempts: this.#maxAttempts,
      ...(job.group && job.group.limit === 1 ? { queueName: `group:${job.group.key}` } : {}),
      ...(runAt ? { runAt } : {}),
    };
  }

  async #handle(handler: JobHandler, payload: unknown, helpers: JobHelpers): Promise<void> {
    const job = parseJob(payload);
    const holder = `job:${helpers.job.id}`;
    const log = this.#options.log;
    if (job.group) {
      const granted = await acquireGroupSlot(this.#pool, {
        group: job.group.key,
        limit: job.group.limit,
        holder,
        workerId: this.workerId,
        leaseMs: this.#staleAfterMs,
      });
      if (!granted) {
        const base = this.#options.groupRetryMs ?? 1_000;
        await this.#requeue(helpers, job, base + Math.floor(Math.random() * base));
        return;
      }
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort(new Error("the worker is stopping"));
    if (helpers.abortSignal.aborted) onAbort();
    else helpers.abortSignal.addEventListener("abort", onAbort, { once: true });
    const done = (async () => {
      try {
        await handler(job, {
          signal: controller.signal,
          attempt: helpers.job.attempts,
          maxAttempts: helpers.job.max_attempts,
          workerId: this.workerId,
        });
      } catch (error) {
        if (!(error instanceof JobReleased)) throw error;
        if (controller.signal.reason instanceof LostJob) return;
        await this.#requeue(helpers, job, 0);
        log.info({ runId: job.runId, flowId: job.flowId }, "job released; queued again");
      }
    })();
    this.#running.set(holder, { controller, done });
    try {
      await done;
    } finally {
      helpers.abortSignal.removeEventListener("abort", onAbort);
      this.#running.delete(holder);
      if (job.group) {
        await releaseGroupSlot(this.#pool, job.group.key, holder).catch((error: Error) =>
          log.warn({ err: error.message, group: job.group?.key }, "could not free a group slot; its lease will expire"),
        );
      }
    }
  }

  /** Adds the job again under its key: graphile takes the key off this running copy and queues a fresh one. */
  async #requeue(helpers: JobHelpers, job: RunJob, delayMs: number): Promise<void> {
    await helpers.addJob(runTaskName, job, this.#spec(job, new Date(Date.now() + delayMs)));
  }

  async #register(): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${queueSchema}.workers (id, pool_id, host, pid, concurrency) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET pool_id = excluded.pool_id, heartbeat_at = now()`,
      [this.workerId, this.#poolId ?? null, hostname(), process.pid, this.#concurrency],
    );
  }

  #beat(): Promise<void> {
    if (this.#beating !== undefined) return this.#beating;
    this.#beating = (async () => {
      try {
        const alive = await this.#pool.query(
          `UPDATE ${queueSchema}.workers SET heartbeat_at = now() WHERE id = $1 RETURNING id`,
          [this.workerId],
        );
        if (alive.rowCount === 0 && this.#runner && !this.#stopping) {
          this.#options.log.warn(
            { workerId: this.workerId, running: this.#running.size },
            "this worker was declared dead (missed heartbeats); its jobs went to others, aborting them here",
          );
          for (const running of this.#running.values()) running.controller.abort(new LostJob());
          await this.#register();
        }
        await this.#pool.query(
          `UPDATE ${queueSchema}.group_slots SET expires_at = now() + $2 * interval '1 millisecond' WHERE worker_id = $1`,
          [this.workerId, this.#staleAfterMs],
        );
        await this.#sweep();
      } catch (error) {
        this.#options.log.warn({ err: (error as Error).message }, "queue heartbeat failed");
      } finally {
        this.#beating = undefined;
      }
    })();
    return this.#beating;
  }

  /** Unlocks what dead processes hold; any live process may do it, and doing it twice is harmless. */
  async #sweep(): Promise<void> {
    const stale = this.#staleAfterMs;
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext('inlet_queue:sweep'))");
      const dead = await client.query<{ id: string }>(
        `DELETE FROM ${queueSchema}.workers WHERE heartbeat_at < now() - $1 * interval '1 millisecond' RETURNING id`,
        [stale],
      );
      const lockers = await client.query<{ locked_by: string }>(
        `WITH live AS (
           SELECT pool_id FROM ${queueSchema}.workers
           WHERE pool_id IS NOT NULL AND heartbeat_at >= now() - $1 * interval '1 millisecond')
         SELECT DISTINCT locked_by FROM (
           SELECT locked_by, locked_at FROM ${graphileSchema}._private_jobs WHERE locked_by IS NOT NULL
           UNION ALL
           SELECT locked_by, locked_at FROM ${graphileSchema}._private_job_queues WHERE locked_by IS NOT NULL
         ) locks
         WHERE locked_at < now() - $1 * interval '1 millisecond' AND locked_by NOT IN (SELECT pool_id FROM live)`,
        [stale],
      );
      const pools = lockers.rows.map((row) => row.locked_by);
      if (pools.length > 0) {
        await client.query(`SELECT ${graphileSchema}.force_unlock_workers($1::text[])`, [pools]);
      }
      await client.query(
        `DELETE FROM ${queueSchema}.group_slots WHERE worker_id NOT IN (SELECT id FROM ${queueSchema}.workers)`,
      );
      await client.query("COMMIT");
      if (dead.rows.length > 0 || pools.length > 0) {
        this.#options.log.warn(
          { deadWorkers: dead.rows.map((row) => row.id), unlockedPools: pools },
          "recovered the jobs of workers that stopped heartbeating",
        );
        // Wake idle workers at once rather than at their next poll.
        if (pools.length > 0)
          await this.#pool
            .query("SELECT pg_notify('jobs:insert', json_build_object('count', $1::int)::text)", [pools.length])
            .catch(() => undefined);
      }
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  #workerUtils(): Promise<WorkerUtils> {
    this.#utils ??= makeWorkerUtils({ pgPool: this.#pool, schema: graphileSchema, logger: this.#logger() });
    return this.#utils;
  }

  #logger(): Logger {
    const log = this.#options.log;
    const factory: LogFunctionFactory = (scope) => (level, message, meta) => {
      const details = { component: "graphile-worker", ...scope, ...(meta ?? {}) };
      if (level === "error") log.error(details, message);
      else if (level === "warning") log.warn(details, message);
    };
    return new Logger(factory);
  }
}

/** The abort reason when another process was given this process's jobs. */
class LostJob extends Error {
  override readonly name = "LostJob";
  constructor() {
    super("this worker was declared dead; the job belongs to another worker now");
  }
}
