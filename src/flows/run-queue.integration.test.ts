import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { storeBackends } from "../../test/support/stores.ts";
import { openMetadataStore } from "../store/create-store.ts";
import type { MetadataStore, Scope } from "../store/metadata-store.ts";
import { EmbeddedRunner } from "./embedded-runner.ts";
import type { ExecutionResult, RunExecution } from "./execute-run.ts";
import { createCursor, getCursor } from "./flow-cursor.ts";
import { emptyFigures, executionOf } from "./run-doc.ts";
import type { RunFigures } from "./run-metrics.ts";
import { type FinishedRun, type RunClaim, type RunOwner, StoreRunQueue } from "./run-queue.ts";

const minute = 60_000;
const start = Date.UTC(2024, 0, 1, 0, 0, 0);
const silent = { info() {}, warn() {}, error() {} };

/** A clock tests move by hand. */
function clock(at: number) {
  let now = at;
  return {
    now: () => now,
    set: (t: number) => {
      now = t;
    },
  };
}

function success(claim: RunClaim): FinishedRun {
  const figures: RunFigures = { ...emptyFigures(claim.flow.doc, claim.execution, "success"), completedAt: Date.now() };
  return { state: "success", figures };
}

/** An executor that records each claim and finishes when told (or at once). */
function fakeExecutor(options: { hold?: boolean } = {}) {
  const claims: RunClaim[] = [];
  const releases: Array<() => void> = [];
  const execute = (claim: RunClaim, signal: AbortSignal): RunExecution => {
    claims.push(claim);
    const done = new Promise<ExecutionResult>((resolve) => {
      const finish = () => resolve(success(claim));
      signal.addEventListener("abort", () => resolve({ state: "aborted" }));
      if (options.hold) releases.push(finish);
      else setImmediate(finish);
    });
    return { progress: () => emptyFigures(claim.flow.doc, claim.execution, "inProgress"), done };
  };
  return { claims, releases, execute };
}

for (const backend of storeBackends()) {
  describe(`run queue and embedded runner on ${backend.name}`, () => {
    let store: MetadataStore;
    let cleanup: () => Promise<void>;
    const scope: Scope = { orgId: "QUEUE@AdobeOrg", sandboxName: "prod" };
    const runners: EmbeddedRunner[] = [];

    beforeAll(async () => {
      const { target, cleanup: drop } = await backend.target();
      cleanup = drop;
      store = await openMetadataStore(target);
    });

    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    beforeEach(async () => {
      for (const kind of ["flows", "runs"] as const) {
        for (const resource of await store.listResources(kind, scope))
          await store.deleteResource(kind, scope, resource.id);
        for (const resource of await store.listResources(kind, { orgId: "", sandboxName: "" })) {
          await store.deleteResource(kind, { orgId: "", sandboxName: "" }, resource.id);
        }
      }
    });

    afterEach(async () => {
      await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    });

    async function flow(scheduleParams: Record<string, unknown>, state = "enabled"): Promise<string> {
      const id = crypto.randomUUID();
      await createCursor(store, scope, id);
      await store.createResource({
        kind: "flows",
        scope,
        id,
        parentId: "source-1",
        doc: { name: "f", state, scheduleParams, sourceConnectionIds: ["source-1"], targetConnectionIds: ["target-1"] },
      });
      return id;
    }

    function runner(
      queue: StoreRunQueue,
      execute: (claim: RunClaim, signal: AbortSignal) => RunExecution,
      now: () => number,
      concurrency = 2,
    ) {
      const created = new EmbeddedRunner({
        queue,
        execute,
        concurrency,
        pollMs: 60_000,
        heartbeatMs: 60_000,
        now,
        log: silent,
      });
      runners.push(created);
      return created;
    }

    function queue(now: () => number, recoverOnStart = true, staleAfterMs = 5 * minute) {
      return new StoreRunQueue({ store, now, staleAfterMs, recoverOnStart, log: silent });
    }

    const windowsOf = (claims: RunClaim[]) =>
      claims.map((c) => [(c.execution.window.start - start) / minute, (c.execution.window.end - start) / minute]);

    it("catches up after downtime in order: none skipped, none repeated", async () => {
      const time = clock(start + 20 * minute);
      const id = await flow({ startTime: start / 1000, frequency: "minute", interval: 15, backfill: false });
      const executor = fakeExecutor();
      const first = runner(queue(time.now), executor.execute, time.now);
      await first.start();
      await first.idle();
      expect(windowsOf(executor.claims)).toEqual([[0, 15]]);
      await first.stop();

      // Down for an hour; a new process (new owner) starts.
      time.set(start + 80 * minute);
      const second = runner(queue(time.now), executor.execute, time.now);
      await second.start();
      await second.idle();
      expect(windowsOf(executor.claims)).toEqual([
        [0, 15],
        [15, 30],
        [30, 45],
        [45, 60],
        [60, 75],
      ]);
      const runs = await store.listResources("runs", scope, { parentId: id });
      expect(runs.map((r) => r.doc.state)).toEqual(["success", "success", "success", "success", "success"]);
      expect(new Set(runs.map((r) => executionOf(r).batchId)).size).toBe(5);
      const cursor = (await getCursor(store, id))?.cursor;
      expect(cursor).toMatchObject({ cursor: start + 75 * minute, active: null });
      expect(cursor?.lastRun).toMatchObject({ state: "success" });
    });

    it("never runs two windows of a flow at once, and bounds concurrency across flows", async () => {
      const time = clock(start + 61 * minute);
      const a = await flow({ startTime: start / 1000, frequency: "minute", interval: 15, backfill: false });
      const b = await flow({ startTime: start / 1000, frequency: "minute", interval: 15, backfill: false });
      const c = await flow({ startTime: start / 1000, frequency: "minute", interval: 15, backfill: false });
      const executor = fakeExecutor({ hold: true });
      const r = runner(queue(time.now), executor.execute, time.now, 2);
      await r.start();
      await r.tick();
      await r.tick();
      expect(executor.claims).toHaveLength(2);
      expect(r.runningCount).toBe(2);
      expect(new Set(executor.claims.map((claim) => claim.flow.id)).size).toBe(2);
      // Finish everything as it comes; each flow's windows run one after the other.
      for (let i = 0; i < 100 && executor.claims.length < 12; i++) {
        for (const finish of executor.releases.splice(0)) finish();
        await new Promise((resolve) => setTimeout(resolve, 5));
        await r.tick();
        expect(r.runningCount).toBeLessThanOrEqual(2);
      }
      for (const finish of executor.releases.splice(0)) finish();
      await r.idle();
      for (const flowId of [a, b, c]) {
        const claims = executor.claims.filter((claim) => claim.flow.id === flowId);
        expect(windowsOf(claims)).toEqual([
          [0, 15],
          [15, 30],
          [30, 45],
          [45, 60],
        ]);
      }
    });

    it("lets only one of two processes claim a window", async () => {
      const time = clock(start + 16 * minute);
      await flow({ startTime: start / 1000, frequency: "minute", interval: 15, backfill: false });
      const one: RunOwner = { id: "owner-1", startedAt: time.now() };
      const two: RunOwner = { id: "owner-2", startedAt: time.now() };
      const [x, y] = await Promise.all([
        queue(time.now, false).claimDue(one, 5),
        queue(time.now, false).claimDue(two, 5),
      ]);
      expect(x.length + y.length).toBe(1);
      const runs = await store.listResources("runs", scope);
      expect(runs).toHaveLength(1);
    });

    it("takes over a run left inProgress by a dead process, same window and batch, attempt 2", async () => {
      const time = clock(start + 16 * minute);
      const id = await flow({ startTime: start / 1000, frequency: "minute", interval: 15, backfill: false });
      const dead: RunOwner = { id: "dead", startedAt: time.now() };
      const [claim] = await queue(time.now, false).claimDue(dead, 1);
      expect(claim?.execution.attempt).toBe(1);

      // A live peer (no recovery on start) leaves it alone while the heartbeat is fresh…
      time.set(start + 17 * minute);
      const peer: RunOwner = { id: "peer", startedAt: time.now() };
      expect(await queue(time.now, false).claimDue(peer, 1)).toEqual([]);
      // …a process starting after the heartbeat takes it over at once.
      const restarted: RunOwner = { id: "restarted", startedAt: time.now() };
      const [taken] = await queue(time.now, true).claimDue(restarted, 1);
      expect(taken?.runId).toBe(claim?.runId);
      expect(taken?.execution).toMatchObject({ attempt: 2, owner: "restarted", batchId: claim?.execution.batchId });
      expect(taken?.execution.window).toEqual(claim?.execution.window);
      // The dead owner's late writes are refused.
      expect(await queue(time.now).heartbeat(claim!, undefined)).toBe(false);
      expect(await queue(time.now).finish(claim!, success(claim!))).toBe(false);
      expect(await queue(time.now).finish(taken!, success(taken!))).toBe(true);
      expect((await getCursor(store, id))?.cursor.lastRun).toMatchObject({ id: claim?.runId, state: "success" });
    });

    it("takes over a run whose owner stopped heartbeating, even without recovery on start", async () => {
      const time = clock(start + 16 * minute);
      await flow({ startTime: start / 1000, frequency: "minute", interval: 15, backfill: false });
      const [claim] = await queue(time.now, false).claimDue({ id: "quiet", startedAt: time.now() }, 1);
      time.set(start + 16 * minute + 5 * minute + 1);
      const [taken] = await queue(time.now, false).claimDue({ id: "peer", startedAt: start }, 1);
      expect(taken?.runId).toBe(claim?.runId);
    });

    it("gives a run back on stop, and the next process reads its window again", async () => {
      const time = clock(start + 16 * minute);
      const id = await flow({ startTime: start / 1000, frequency: "minute", interval: 15, backfill: false });
      const held = fakeExecutor({ hold: true });
      const first = runner(queue(time.now), held.execute, time.now);
      await first.start();
      await first.tick();
      expect(held.claims).toHaveLength(1);
      await first.stop();
      const [run] = await store.listResources("runs", scope, { parentId: id });
      expect(run?.doc.state).toBe("pending");
      expect(executionOf(run!).owner).toBeNull();

      const executor = fakeExecutor();
      const second = runner(queue(time.now), executor.execute, time.now);
      await second.start();
      await second.idle();
      expect(executor.claims.map((c) => [c.runId, c.execution.attempt, c.execution.batchId])).toEqual([
        [held.claims[0]?.runId, 2, held.claims[0]?.execution.batchId],
      ]);
    });

    it("creates nothing for a disabled flow and runs a once flow exactly once", async () => {
      const time = clock(start + 16 * minute);
      await flow({ startTime: start / 1000, frequency: "minute", interval: 15, backfill: false }, "disabled");
      const once = await flow({ startTime: (start + minute) / 1000, frequency: "once" });
      const executor = fakeExecutor();
      const r = runner(queue(time.now), executor.execute, time.now);
      await r.start();
      await r.idle();
      time.set(start + 600 * minute);
      await r.idle();
      expect(executor.claims.map((c) => c.flow.id)).toEqual([once]);
      expect(executor.claims[0]?.execution.window).toEqual({ start: 0, end: start + minute, backfill: true });
    });
  });
}
