/**
 * A worker process for the queue's crash test: takes jobs, says so on stdout, and never finishes
 * them, until the test kills it with SIGKILL.
 */
import { GraphileJobQueue } from "../../src/queue/graphile/graphile-job-queue.ts";

const url = process.env.QUEUE_TEST_URL;
if (!url) throw new Error("QUEUE_TEST_URL is required");
const quiet = { info() {}, warn() {}, error() {} };
const queue = new GraphileJobQueue({ url, heartbeatMs: 200, staleAfterMs: 1_500, pollIntervalMs: 200, log: quiet });
await queue.migrate();
await queue.start(
  async (job) => {
    process.stdout.write(`started ${job.runId}\n`);
    await new Promise(() => {});
  },
  { concurrency: 2 },
);
process.stdout.write("ready\n");
