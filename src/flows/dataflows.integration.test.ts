// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMailchimp } from "../../test/imitation-apis/mailchimp.ts";
import { type OAuthImitation, startOAuthProvider } from "../../test/imitation-apis/oauth.ts";
import { startPagedApi, startPointerApi } from "../../test/imitation-apis/paged.ts";
import type { Imitation } from "../../test/imitation-apis/server.ts";
import { startZendesk } from "../../test/imitation-apis/zendesk.ts";
import { recordsSpec, sourceSpec, startRecordsApi } from "../../test/support/flows-apis.ts";
import {
  createFlow,
  expectSuccess,
  FlowApi,
  fastRunner,
  prepareWorkflow,
  query,
  registerSpec,
  rowCount,
  type WorkflowOptions,
  waitForRuns,
} from "../../test/support/flows-workflow.ts";
import { startTestServer, type TestServer } from "../../test/support/server.ts";
import { storeBackends } from "../../test/support/stores.ts";
import { datasetLayout } from "../datasets/layout.ts";

const basicAuth = (password: string) => ({
  specName: "Basic Authentication",
  params: { username: "anyone", password },
});
const once = () => ({ startTime: Math.floor(Date.now() / 1000) - 60, frequency: "once" });

for (const backend of storeBackends()) {
  describe(`dataflows end to end on ${backend.name}`, () => {
    let server: TestServer;
    let cleanup: () => Promise<void>;
    let api: FlowApi;
    const imitations: Imitation[] = [];

    beforeAll(async () => {
      const { target, cleanup: drop } = await backend.target();
      cleanup = drop;
      server = await startTestServer({ target, runner: fastRunner });
      api = new FlowApi(server.url, server.admin);
    });

    afterAll(async () => {
      await server?.close();
      await Promise.all(imitations.map((imitation) => imitation.close()));
      await cleanup?.();
    });

    async function serve<T extends Imitation>(started: Promise<T>): Promise<T> {
      const imitation = await started;
      imitations.push(imitation);
      return imitation;
    }

    /** Spec → flow → its single run; returns the run and the dataset id. */
    async function runOnce(
      spec: Record<string, unknown>,
      options: Omit<WorkflowOptions, "connectionSpecId" | "scheduleParams">,
    ) {
      const connectionSpecId = await registerSpec(api, spec);
      const workflow = await prepareWorkflow(api, { ...options, connectionSpecId, scheduleParams: once() });
      const flowId = await createFlow(api, workflow);
      const [run] = await waitForRuns(api, flowId, 1);
      return { run, flowId, workflow };
    }

    it("OFFSET (Mailchimp members, Basic auth): every member lands once", async () => {
      const mailchimp = await serve(startMailchimp({ members: 25, apiKey: "key-us6-secret" }));
      const spec = sourceSpec(
        "Members OFFSET",
        {
          urlParams: { host: mailchimp.url, path: "/3.0/lists/${listId}/members", method: "GET" },
          contentPath: {
            path: "$.members",
            skipAttributes: ["_links", "total_items", "list_id"],
            overrideWrapperAttribute: "member",
          },
          paginationParams: { type: "OFFSET", limitName: "count", limitValue: "10", offSetName: "offset" },
        },
        undefined,
        { listId: { type: "string", description: "List id" } },
      );
      const { run, workflow } = await runOnce(spec, {
        auth: basicAuth("key-us6-secret"),
        sourceParams: { listId: "L1" },
        schema: {
          type: "object",
          properties: { id: { type: "string" }, email: { type: "string" }, firstName: { type: "string" } },
        },
        mappings: [
          { sourceType: "ATTRIBUTE", source: "member.id", destination: "id" },
          { sourceType: "ATTRIBUTE", source: "member.email_address", destination: "email" },
          { sourceType: "ATTRIBUTE", source: "member.merge_fields.FNAME", destination: "firstName" },
        ],
      });
      expectSuccess(run, 25);
      expect(run.metrics.extensions).toMatchObject({ pages: 3, requests: 3, stopReason: "short-page" });
      expect(run.metrics.sizeSummary.inputBytes).toBeGreaterThan(0);
      expect(run.metrics.sizeSummary.outputBytes).toBeGreaterThan(0);
      const promotion = run.activities.find((a: { id: string }) => a.id === "promotionActivity");
      expect(promotion.targetInfo).toEqual([
        {
          id: workflow.targetConnectionId,
          type: "TargetConnection",
          reference: { type: "Batch", ids: [run.execution.batchId] },
        },
      ]);
      expect(await rowCount(server.dataDir, workflow.datasetId)).toBe(25);
      const rows = await query(
        server.dataDir,
        `SELECT count(DISTINCT id) AS ids, max(firstName) AS f FROM ds_${workflow.datasetId}`,
      );
      expect(rows[0]).toEqual({ ids: 25, f: "First9" });
      // The Catalog batch names the run and its flow.
      const batch = await api.ok("GET", `/data/foundation/catalog/batches/${run.execution.batchId}`);
      const batchDoc = batch.body[run.execution.batchId] ?? batch.body;
      expect(JSON.stringify(batchDoc)).toContain(run.id);
      expect(JSON.stringify(batchDoc)).toContain('"success"');
    });

    it("POINTER", async () => {
      const pointer = await serve(startPointerApi({ items: 9 }));
      const spec = sourceSpec("Things POINTER", {
        urlParams: { host: pointer.url, path: "/v1/things", method: "GET" },
        contentPath: "$.data",
        paginationParams: { type: "POINTER", limitName: "limit", limitValue: 4, pointerPath: "paging.next" },
      });
      const { run, workflow } = await runOnce(spec, {
        auth: basicAuth("unused-by-this-api"),
        schema: { type: "object", properties: { id: { type: "string" } } },
        mappings: [{ sourceType: "ATTRIBUTE", source: "data.id", destination: "id" }],
      });
      expectSuccess(run, 9);
      expect(run.metrics.extensions.stopReason).toBe("no-next-token");
      expect(await rowCount(server.dataDir, workflow.datasetId)).toBe(9);
    });

    it("CONTINUATION_TOKEN with an ADVANCE schedule (Zendesk, API key)", async () => {
      const zendesk = await serve(startZendesk({ users: 7, token: "zd-token-secret" }));
      const spec = sourceSpec(
        "Users CONTINUATION_TOKEN",
        {
          urlParams: {
            host: zendesk.url,
            path: "/api/v2/search/export",
            method: "GET",
            queryParams: { query: "{SCHEDULE_QUERY}", "filter[type]": "user" },
          },
          contentPath: { path: "$.results", skipAttributes: ["facets"] },
          paginationParams: {
            type: "CONTINUATION_TOKEN",
            continuationTokenPath: "$.meta.after_cursor",
            parameterType: "QUERYPARAM",
            parameterName: "page[after]",
            limitName: "page[size]",
            limitValue: 3,
          },
          scheduleParams: {
            type: "ADVANCE",
            paramFormat: "yyyy-MM-ddTHH:mm:ssK",
            incremental: "type:user updated>{START_TIME} updated<{END_TIME}",
            backfill: "type:user updated<{END_TIME}",
          },
        },
        [
          {
            name: "API Key Authentication",
            type: "KeyBased",
            spec: {
              $schema: "http://json-schema.org/draft-07/schema#",
              type: "object",
              description: "API key",
              properties: {
                authKey1: { type: "string", format: "password", restAttributes: { headerParamName: "Authorization" } },
              },
              required: ["authKey1"],
            },
          },
        ],
      );
      const { run, workflow } = await runOnce(spec, {
        auth: { specName: "API Key Authentication", params: { authKey1: "Bearer zd-token-secret" } },
        schema: { type: "object", properties: { id: { type: "integer" }, email: { type: "string" } } },
        mappings: [
          { sourceType: "ATTRIBUTE", source: "results.id", destination: "id" },
          { sourceType: "ATTRIBUTE", source: "results.email", destination: "email" },
        ],
      });
      expectSuccess(run, 7);
      // Like Zendesk, the imitation keeps an after_cursor on its last page (has_more false), so the
      // read ends on the empty page that follows.
      expect(run.metrics.extensions.stopReason).toBe("empty-page");
      // A once flow's run is its backfill: the backfill query with the window's end, no start.
      const first = new URL(zendesk.stats.log[0]?.url ?? "", "http://x");
      expect(first.searchParams.get("query")).toMatch(/^type:user updated<\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(await rowCount(server.dataDir, workflow.datasetId)).toBe(7);
      const ids = await query(server.dataDir, `SELECT min(id) AS lo, max(id) AS hi FROM ds_${workflow.datasetId}`);
      expect(ids[0]).toEqual({ lo: 1000, hi: 1006 });
    });

    it("PAGE (x-pagecount)", async () => {
      const paged = await serve(startPagedApi({ items: 10 }));
      const spec = sourceSpec("Items PAGE", {
        urlParams: { host: paged.url, path: "/items", method: "GET" },
        contentPath: "$.data",
        paginationParams: {
          type: "PAGE",
          limitName: "pageSize",
          limitValue: "4",
          pageParamName: "pageNumber",
          initialPageIndex: 1,
          endPageIndex: "headers.x-pagecount",
        },
      });
      const { run, workflow } = await runOnce(spec, {
        auth: basicAuth("unused-by-this-api"),
        schema: { type: "object", properties: { id: { type: "integer" }, name: { type: "string" } } },
        mappings: [
          { sourceType: "ATTRIBUTE", source: "data.id", destination: "id" },
          { sourceType: "ATTRIBUTE", source: "data.name", destination: "name" },
        ],
      });
      expectSuccess(run, 10);
      expect(run.metrics.extensions).toMatchObject({ requests: 3, stopReason: "end-page-index" });
      expect(await rowCount(server.dataDir, workflow.datasetId)).toBe(10);
    });

    it("explode (Mailchimp email activity): one row per activity", async () => {
      const mailchimp = await serve(startMailchimp({ emails: 3, activitiesPerEmail: 2, apiKey: "key-explode" }));
      const spec = sourceSpec(
        "Email activity explode",
        {
          urlParams: { host: mailchimp.url, path: "/3.0/reports/${campaignId}/email-activity", method: "GET" },
          contentPath: {
            path: "$.emails",
            overrideWrapperAttribute: "email",
            skipAttributes: ["_links", "total_items", "campaign_id"],
          },
          explodeEntityPath: { path: "$.email.activity", overrideWrapperAttribute: "activity" },
          paginationParams: { type: "OFFSET", limitName: "count", limitValue: "2", offSetName: "offset" },
        },
        undefined,
        { campaignId: { type: "string", description: "Campaign" } },
      );
      const { run, workflow } = await runOnce(spec, {
        auth: basicAuth("key-explode"),
        sourceParams: { campaignId: "C1" },
        schema: { type: "object", properties: { emailId: { type: "string" }, action: { type: "string" } } },
        mappings: [
          { sourceType: "ATTRIBUTE", source: "email.email_id", destination: "emailId" },
          { sourceType: "ATTRIBUTE", source: "activity.action", destination: "action" },
        ],
      });
      expectSuccess(run, 6);
      const rows = await query(
        server.dataDir,
        `SELECT emailId, count(*) AS n FROM ds_${workflow.datasetId} GROUP BY emailId ORDER BY emailId`,
      );
      expect(rows).toEqual([
        { emailId: "e0", n: 2 },
        { emailId: "e1", n: 2 },
        { emailId: "e2", n: 2 },
      ]);
    });

    describe("OAuth2 with a rotating refresh token", () => {
      let provider: OAuthImitation;
      const oauthSpec = (host: string) =>
        sourceSpec(
          "Items OAuth2",
          {
            urlParams: { host, path: "/api/items", method: "GET" },
            contentPath: "$.items",
            paginationParams: { type: "NONE" },
          },
          [
            {
              name: "OAuth2 Refresh Code",
              type: "OAuth2RefreshCode",
              spec: {
                $schema: "http://json-schema.org/draft-07/schema#",
                type: "object",
                description: "OAuth2 refresh",
                properties: {
                  clientId: { type: "string" },
                  clientSecret: { type: "string", format: "password" },
                  accessToken: { type: "string", format: "password" },
                  refreshToken: { type: "string", format: "password" },
                  accessTokenUrl: { type: "string" },
                  expirationDate: { type: "string" },
                },
                required: ["accessToken"],
              },
            },
          ],
        );

      it("stores the rotated refresh token and uses it on the next run", async () => {
        provider = await serve(startOAuthProvider({ items: 5, clientSecret: "csecret-oauth" }));
        const connectionSpecId = await registerSpec(api, oauthSpec(provider.url));
        const workflow = await prepareWorkflow(api, {
          connectionSpecId,
          auth: {
            specName: "OAuth2 Refresh Code",
            params: {
              clientId: "cid",
              clientSecret: "csecret-oauth",
              accessToken: "at-stale",
              refreshToken: "rt-0",
              accessTokenUrl: `${provider.url}/oauth/token`,
              expirationDate: "2020-01-01T00:00:00Z",
            },
          },
          schema: { type: "object", properties: { id: { type: "integer" } } },
          mappings: [{ sourceType: "ATTRIBUTE", source: "items.id", destination: "id" }],
          scheduleParams: once(),
        });
        const flowId = await createFlow(api, workflow);
        const [first] = await waitForRuns(api, flowId, 1);
        expectSuccess(first, 5);
        expect(provider.tokenCalls()).toBe(1);

        // Every access token issued so far stops working: the next run must refresh with rt-1-rotated
        // (rt-0 was spent), which only works if the first run stored it.
        provider.revokeAccessTokens();
        const now = Math.floor(Date.now() / 1000);
        const requested = await api.ok("POST", "/runs", {
          flowId,
          params: { windowStartTime: now - 3600, windowEndTime: now },
        });
        expect(requested.body).toEqual({ id: expect.any(String), etag: expect.any(String) });
        const runs = await waitForRuns(api, flowId, 2);
        const second = runs.find((run) => run.id === requested.body.id);
        expectSuccess(second, 5);
        expect(second.params).toEqual({ windowStartTime: now - 3600, windowEndTime: now });
        expect(second.execution.window).toEqual({ start: (now - 3600) * 1000, end: now * 1000, backfill: false });
        expect(provider.tokenCalls()).toBe(2);
        expect(await rowCount(server.dataDir, workflow.datasetId)).toBe(10);

        // The stored credentials stay masked.
        const base = await api.ok("GET", `/connections/${workflow.baseConnectionId}`);
        const text = JSON.stringify(base.body);
        for (const secret of ["rt-1-rotated", "rt-2-rotated", "at-1-fresh", "at-2-fresh", "csecret-oauth"]) {
          expect(text).not.toContain(secret);
        }
      });
    });

    describe("failed records", () => {
      const records = Array.from({ length: 20 }, (_, i) => ({
        id: i,
        n: i % 10 === 3 ? "not a number" : String(i * 10),
        color: i === 7 ? "purple" : "red",
      }));
      // 2 of 20 records fail mapping (n is not a number), 1 fails the schema (color): 15%.
      const schema = {
        type: "object",
        properties: {
          id: { type: "integer" },
          n: { type: "integer" },
          color: { type: "string", enum: ["red", "green"] },
        },
      };
      const mappings = [
        { sourceType: "ATTRIBUTE", source: "items.id", destination: "id" },
        { sourceType: "ATTRIBUTE", source: "items.n", destination: "n" },
        { sourceType: "ATTRIBUTE", source: "items.color", destination: "color" },
      ];
      let specId: string;

      beforeAll(async () => {
        const recordsApi = await serve(startRecordsApi(records));
        specId = await registerSpec(api, recordsSpec(recordsApi.url));
      });

      async function flowWith(options: Record<string, unknown> | undefined) {
        const workflow = await prepareWorkflow(api, {
          connectionSpecId: specId,
          auth: basicAuth("unused-by-this-api"),
          schema,
          mappings,
          scheduleParams: once(),
          ...(options ? { options } : {}),
        });
        const flowId = await createFlow(api, workflow);
        const [run] = await waitForRuns(api, flowId, 1);
        return { run, workflow };
      }

      it("under the threshold: succeeds, writes the rest, keeps the failures beside the batch", async () => {
        const { run, workflow } = await flowWith({ partialIngestionPercent: 20, errorDiagnosticsEnabled: true });
        expect(run.state).toBe("success");
        expect(run.metrics.recordSummary).toEqual({
          inputRecordCount: 20,
          outputRecordCount: 17,
          failedRecordCount: 3,
        });
        expect(run.metrics.statusSummary.errors).toEqual([
          {
            code: "MAPPER-3700-400",
            message: "3 of 20 records (15%) failed, within the partialIngestionPercent of 20%.",
          },
        ]);
        const promotion = run.activities.find((a: { id: string }) => a.id === "promotionActivity");
        expect(
          promotion.statusSummary.sampleErrors.map((e: { recordIndex: number; code: string }) => [
            e.recordIndex,
            e.code,
          ]),
        ).toEqual([
          [3, "MAPPER-3700-400"],
          [7, "INGEST-1212-400"],
          [13, "MAPPER-3700-400"],
        ]);
        expect(promotion.statusSummary.sampleErrors[1].message).toContain("allowed values");
        expect(promotion.statusSummary.extensions.errors).toEqual([
          { code: "MAPPER-3700-400", recordCount: 2, message: "2 record(s) could not be mapped." },
          { code: "INGEST-1212-400", recordCount: 1, message: "1 record(s) do not match the dataset schema." },
        ]);
        const relative = promotion.statusSummary.extensions.manifest.failedRecords;
        expect(relative).toBe(
          path.join("datasets", workflow.datasetId, "batches", run.execution.batchId, "failed-records.jsonl"),
        );
        const failed = (await readFile(path.join(server.dataDir, relative), "utf8"))
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line));
        expect(failed).toHaveLength(3);
        expect(failed.map((f: { reason: string }) => f.reason).every((r: string) => r.length > 0)).toBe(true);
        expect(await rowCount(server.dataDir, workflow.datasetId)).toBe(17);
      });

      it("over the threshold: fails and leaves no batch", async () => {
        const { run, workflow } = await flowWith({ partialIngestionPercent: 10 });
        expect(run.state).toBe("failed");
        expect(run.metrics.statusSummary).toEqual({
          status: "failed",
          errors: [
            {
              code: "MAPPER-3700-400",
              message: "3 of 20 records (15%) failed, more than the partialIngestionPercent of 10%.",
            },
          ],
        });
        expect(run.metrics.recordSummary.failedRecordCount).toBe(3);
        const promotion = run.activities.find((a: { id: string }) => a.id === "promotionActivity");
        expect(promotion.targetInfo[0].reference.ids).toEqual([]);
        expect(promotion.statusSummary.sampleErrors).toHaveLength(3);
        expect(await rowCount(server.dataDir, workflow.datasetId)).toBe(0);
        expect(await readdir(datasetLayout.batches(server.dataDir, workflow.datasetId))).toEqual([]);
        const batches = await api.call("GET", `/data/foundation/catalog/batches/${run.execution.batchId}`);
        expect(batches.status).toBe(404);
      });

      it("without a threshold any failed record fails the run", async () => {
        const { run, workflow } = await flowWith(undefined);
        expect(run.state).toBe("failed");
        expect(run.metrics.statusSummary.errors[0].message).toContain("sets no partialIngestionPercent");
        expect(await rowCount(server.dataDir, workflow.datasetId)).toBe(0);
      });
    });

    it("writes the same rows and fails the same records whether records pass as JSON text (identity) or are mapped", async () => {
      const records = [
        { id: 1, n: 10, color: "red" },
        { id: 2, n: "20", color: "red" }, // a string where the schema says integer
        { id: 3, n: 30, color: "purple" }, // not in the enum
        { id: 4, n: 40, color: "green" },
        { id: 5, n: 50, color: "green", extra: { deep: 1 } }, // a member the schema lacks
        { id: 6, n: 60, color: null }, // a nested null where the schema says string
      ];
      const recordsApi = await serve(startRecordsApi(records));
      const specId = await registerSpec(api, recordsSpec(recordsApi.url, "Identity or mapped"));
      const schema = {
        type: "object",
        properties: {
          items: {
            type: "object",
            properties: {
              id: { type: "integer" },
              n: { type: "integer" },
              color: { type: "string", enum: ["red", "green"] },
            },
          },
        },
      };
      const runWith = async (mappings: Array<Record<string, unknown>>) => {
        const workflow = await prepareWorkflow(api, {
          connectionSpecId: specId,
          auth: basicAuth("unused-by-this-api"),
          schema,
          mappings,
          scheduleParams: once(),
          options: { partialIngestionPercent: 60 },
        });
        const [run] = await waitForRuns(api, await createFlow(api, workflow), 1);
        const rows = await query(
          server.dataDir,
          `SELECT items.id AS id, items.n AS n, items.color AS color FROM ds_${workflow.datasetId} ORDER BY id`,
        );
        const promotion = run.activities.find((a: { id: string }) => a.id === "promotionActivity");
        return { run, rows, samples: promotion.statusSummary.sampleErrors };
      };
      // By name: the fast path. An expression (`items`) maps the same, but always on parsed records.
      const identity = await runWith([{ sourceType: "ATTRIBUTE", source: "items", destination: "items" }]);
      const mapped = await runWith([{ sourceType: "EXPRESSION", source: "items", destination: "items" }]);
      expect(identity.run.state).toBe("success");
      expect(identity.run.metrics.recordSummary).toEqual({
        inputRecordCount: 6,
        outputRecordCount: 3,
        failedRecordCount: 3,
      });
      expect(identity.rows.map((row) => row.id)).toEqual([1, 4, 5]);
      expect(identity.rows).toEqual(mapped.rows);
      expect(identity.run.metrics.recordSummary).toEqual(mapped.run.metrics.recordSummary);
      expect(identity.samples).toEqual(mapped.samples);
    });

    it("fails a run whose source errors, with CONNECTOR-2001-500, and writes nothing", async () => {
      const mailchimp = await serve(startMailchimp({ members: 5, apiKey: "the-right-key" }));
      const spec = sourceSpec(
        "Members wrong key",
        {
          urlParams: { host: mailchimp.url, path: "/3.0/lists/L1/members", method: "GET" },
          contentPath: { path: "$.members", overrideWrapperAttribute: "member" },
          paginationParams: { type: "OFFSET", limitName: "count", limitValue: "10", offSetName: "offset" },
        },
        undefined,
      );
      const { run, workflow } = await runOnce(spec, {
        auth: basicAuth("a-wrong-key-1234"),
        schema: { type: "object", properties: { id: { type: "string" } } },
        mappings: [{ sourceType: "ATTRIBUTE", source: "member.id", destination: "id" }],
      });
      expect(run.state).toBe("failed");
      expect(run.metrics.statusSummary.errors).toHaveLength(1);
      expect(run.metrics.statusSummary.errors[0].code).toBe("CONNECTOR-2001-500");
      expect(run.metrics.statusSummary.errors[0].message).toContain("401");
      expect(run.metrics.extensions.stopReason).toBe("error");
      expect(run.activities[0].statusSummary.status).toBe("failed");
      expect(JSON.stringify(run)).not.toContain("a-wrong-key-1234");
      expect(await rowCount(server.dataDir, workflow.datasetId)).toBe(0);
      const flow = (await api.ok("GET", `/flows/${run.flowId}`)).body.items[0];
      expect(flow.lastRunDetails).toMatchObject({ id: run.id, state: "failed" });
      expect(flow.nextRunAt).toBeNull();
    });

    it("shows no credential in any flow, run or connection response", async () => {
      const responses = await Promise.all(
        ["/flows", "/runs", "/connections", "/sourceConnections", "/targetConnections"].map((path) =>
          api.ok("GET", path),
        ),
      );
      const text = JSON.stringify(responses.map((reply) => reply.body));
      expect(text).toContain("promotionActivity");
      const secrets = [
        "key-us6-secret",
        "zd-token-secret",
        "csecret-oauth",
        "rt-1-rotated",
        "at-1-fresh",
        "key-explode",
        "a-wrong-key-1234",
      ];
      for (const secret of [...secrets, "unused-by-this-api"]) expect(text).not.toContain(secret);
    });
  });
}
