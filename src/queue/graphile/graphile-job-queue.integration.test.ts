import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FreshDatabase, freshDatabase, postgresServerUrl } from "../../../test/cluster/fresh-database.ts";
import { type JobContext, JobReleased, type RunJob } from "../job-queue.ts";
import { GraphileJobQueue } from "./graphile-job-queue.ts";

const server = postgresServerUrl();
const quiet = { info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(25);
  }
}

let n = 0;
const job = (extra: Partial<RunJob> = {}): RunJob => {
  n += 1;
  return { orgId: "O", sandboxName: "prod", flowId: `flow-${n}`, runId: `run-${n}`, windowStart: n * 1000, ...extra };
};

describe.skipIf(server === undefined)("GraphileJobQueue", () => {
  let db: FreshDatabase;
  const queues: GraphileJobQueue[] = [];
  const makeQueue = (options: Partial<ConstructorParameters<typeof GraphileJobQueue>[0]> = {}) => {
    const queue = new GraphileJobQueue({
      url: db.url,
      heartbeatMs: 200,
      staleAfterMs: 1_500,
      pollIntervalMs: 200,
      shutdownGraceMs: 300,
      groupRetryMs: 50,
      log: quiet,
      ...options,
    });
    queues.push(queue);
    return queue;
  };

  beforeAll(async () => {
    db = await freshDatabase(server as string);
    await makeQueue().migrate();
  });
  afterAll(async () => {
    for (const queue of queues) await queue.close().catch(() => undefined);
    await db?.drop();
  });

  const jobRows = async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query("SELECT key, attempts FROM graphile_worker._private_jobs")).rows;
    } finally {
      await client.end();
    }
  };

  it("queues a (flow, window) once however often it is enqueued, and runs it", async () => {
    const producer = makeQueue();
    const j = job();
    await producer.enqueue(j, { runAt: new Date(Date.now() + 300) });
    await producer.enqueue(j);
    await producer.enqueue(j);
    expect((await jobRows()).filter((r) => r.key === `run:${j.flowId}:${j.windowStart}`)).toHaveLength(1);
    expect(await producer.missing([j, job()])).toHaveLength(1);
    const seen: string[] = [];
    const worker = makeQueue();
    await worker.start(
      async (got) => {
        seen.push(got.runId);
      },
      { concurrency: 2 },
    );
    await until(() => seen.length === 1);
    await sleep(400);
    expect(seen).toEqual([j.runId]);
    await until(async () => (await worker.missing([j])).length === 1);
    await worker.stop();
  });

  it("retries a failing handler with backoff", async () => {
    const worker = makeQueue();
    const attempts: Array<{ attempt: number; at: number }> = [];
    const j = job();
    await worker.enqueue(j);
    await worker.start(
      async (_got, context: JobContext) => {
        attempts.push({ attempt: context.attempt, at: Date.now() });
        if (context.attempt === 1) throw new Error("transient");
      },
      { concurrency: 1 },
    );
    await until(() => attempts.length === 2, 10_000);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
    // graphile's backoff after the first failure is e^1 seconds.
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThan(2_000);
    await worker.stop();
  });

  it("runs at most `limit` jobs of a group at once across processes", async () => {
    const workers = [makeQueue(), makeQueue()];
    for (const limit of [1, 2]) {
      let active = 0;
      let peak = 0;
      let done = 0;
      const handler = async () => {
        active += 1;
        peak = Math.max(peak, active);
        await sleep(150);
        active -= 1;
        done += 1;
      };
      const group = { key: `account-${limit}`, limit };
      const jobs = Array.from({ length: 6 }, () => job({ group }));
      for (const j of jobs) await workers[0]?.enqueue(j);
      for (const w of workers) await w.start(handler, { concurrency: 3 });
      await until(() => done === jobs.length, 20_000);
      expect(peak).toBe(limit);
      for (const w of workers) await w.stop();
    }
  });

  it("on stop, lets a handler finish within the grace period, else aborts it and queues its job again", async () => {
    const first = makeQueue();
    const j = job();
    await first.enqueue(j);
    let started = false;
    let aborted = false;
    await first.start(
      async (_got, context) => {
        started = true;
        await new Promise<void>((resolve) => context.signal.addEventListener("abort", () => resolve()));
        aborted = true;
        throw new JobReleased("stopping");
      },
      { concurrency: 1 },
    );
    await until(() => started);
    await first.stop();
    expect(aborted).toBe(true);
    const second = makeQueue();
    const attempts: number[] = [];
    await second.start(
      async (_got, context) => {
        attempts.push(context.attempt);
      },
      { concurrency: 1 },
    );
    await until(() => attempts.length === 1);
    expect(attempts).toEqual([1]);
    await second.stop();
  });

  it("hands the jobs of a killed worker to another after its heartbeat stops", async () => {
    const j = job({ group: { key: "killed-account", limit: 1 } });
    const producer = makeQueue();
    await producer.enqueue(j);
    const child = spawn(process.execPath, ["--import", "tsx", path.resolve("test/cluster/queue-child.ts")], {
      env: { ...process.env, QUEUE_TEST_URL: db.url },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    await until(() => output.includes(`started ${j.runId}`), 20_000);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const killedAt = Date.now();
    const attempts: number[] = [];
    const survivor = makeQueue();
    await survivor.start(
      async (got, context) => {
        if (got.runId === j.runId) attempts.push(context.attempt);
      },
      { concurrency: 1 },
    );
    await until(() => attempts.length === 1, 20_000);
    expect(attempts).toEqual([2]);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    await survivor.stop();
  });
});
