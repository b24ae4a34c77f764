import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { serveInChild } from "../../test/support/child-server.ts";
import {
  startWindowedApi,
  type WindowedApi,
  windowedMappings,
  windowedSchema,
  windowedSpec,
} from "../../test/support/flows-apis.ts";
import {
  createFlow,
  FlowApi,
  prepareWorkflow,
  query,
  registerSpec,
  rowCount,
  waitForRuns,
} from "../../test/support/flows-workflow.ts";
import { storeBackends } from "../../test/support/stores.ts";
import { datasetLayout } from "../datasets/layout.ts";
import { openMetadataStore } from "../store/create-store.ts";
import { issueToken } from "../tenancy/tokens.ts";

const password = "pw-Resume-S3cret-42";

for (const backend of storeBackends()) {
  describe(`a run resumed after SIGKILL on ${backend.name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];

    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    });

    it("continues at the last checkpointed page, not page 1, and has every record exactly once", {
      timeout: 60_000,
    }, async () => {
      const { target, cleanup } = await backend.target();
      cleanups.push(cleanup);
      const dataDir = await mkdtemp(path.join(tmpdir(), "inlet-resume-"));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const store = await openMetadataStore(target);
      const admin = await issueToken(store, "RESUME@AdobeOrg", "admin");
      await store.close();

      const startTime = Math.floor(Date.now() / 1000) - 60;
      // 300 KB a record, 4 a page: a Parquet part (4 MiB by default) fills every 4 pages, and each
      // part is a checkpoint (offset 16, 32).
      const records = Array.from({ length: 40 }, (_, i) => ({
        id: i,
        updated: (startTime - 3600) * 1000 + i,
        label: `r${i}:${"x".repeat(300_000)}`,
      }));
      const source: WindowedApi = await startWindowedApi({ records, delayMs: 300, password });
      cleanups.push(() => source.close());

      const output: string[] = [];
      const first = await serveInChild(dataDir, target, output);
      cleanups.push(async () => {
        first.child.kill("SIGKILL");
        await first.exited;
      });
      let api = new FlowApi(first.url, admin);
      const specId = await registerSpec(api, windowedSpec(source.url));
      const workflow = await prepareWorkflow(api, {
        connectionSpecId: specId,
        auth: { specName: "Basic Authentication", params: { username: "resume-user", password } },
        schema: windowedSchema,
        mappings: windowedMappings,
        scheduleParams: { startTime, frequency: "once" },
      });
      const flowId = await createFlow(api, workflow);

      // Wait until 9 of its 10 pages are read (the 10th is being fetched), then kill the server.
      let run: { id: string; state: string } | undefined;
      for (let i = 0; i < 500 && !(run?.state === "inProgress" && source.stats.requests >= 10); i++) {
        run = (await api.ok("GET", `/runs?property=flowId==${flowId}`)).body.items[0];
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(run?.state).toBe("inProgress");
      first.child.kill("SIGKILL");
      await first.exited;
      const requestsBeforeKill = source.stats.requests;
      expect(requestsBeforeKill).toBeLessThan(11);

      const second = await serveInChild(dataDir, target, output);
      cleanups.push(async () => {
        second.child.kill("SIGTERM");
        await second.exited;
      });
      api = new FlowApi(second.url, admin);
      const runs = await waitForRuns(api, flowId, 1, 30_000);
      expect(runs).toHaveLength(1);
      const [done] = runs;
      expect(done.id).toBe(run?.id);
      expect(done.state).toBe("success");
      expect(done.execution.attempt).toBe(2);
      expect(done.metrics.recordSummary).toEqual({ inputRecordCount: 40, outputRecordCount: 40, failedRecordCount: 0 });
      // The read resumed at a checkpointed page: page 1 (offset 0) was not read again.
      const offsets = source.stats.log
        .slice(requestsBeforeKill)
        .map((r) => Number(new URL(r.url, "http://x").searchParams.get("offset")));
      expect(offsets).not.toContain(0);
      const resumedAt = offsets[0] as number;
      expect([16, 32]).toContain(resumedAt);
      expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => resumedAt + 4 * i));
      expect(done.metrics.extensions.resumedFrom).toEqual({ type: "OFFSET", offset: resumedAt, records: resumedAt });

      expect(await rowCount(dataDir, workflow.datasetId)).toBe(40);
      const distinct = await query(dataDir, `SELECT count(DISTINCT id) AS n FROM ds_${workflow.datasetId}`);
      expect(distinct[0]?.n).toBe(40);
      expect(await readdir(datasetLayout.batches(dataDir, workflow.datasetId))).toEqual([done.execution.batchId]);

      second.child.kill("SIGTERM");
      await second.exited;
      const logs = output.join("");
      expect(logs).toContain("took over a run whose process is gone");
      expect(logs).toContain("run finished");
      expect(logs).not.toContain(password);
      expect(logs).not.toContain(Buffer.from(`resume-user:${password}`).toString("base64"));
      expect(logs).not.toContain(admin.accessToken);
    });
  });
}
