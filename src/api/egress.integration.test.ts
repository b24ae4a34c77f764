/**
 * INLET_EGRESS=public on a running server: no tenant-driven request reaches a loopback API, be it a
 * playground read, a credentials test or a scheduled run; nothing is sent, and each says why.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Imitation } from "../../test/imitation-apis/index.ts";
import { recordsSpec, startRecordsApi } from "../../test/support/flows-apis.ts";
import {
  createFlow,
  FlowApi,
  fastRunner,
  prepareWorkflow,
  registerSpec,
  waitForRuns,
} from "../../test/support/flows-workflow.ts";
import { headersFor, startTestServer, type TestServer } from "../../test/support/server.ts";

describe("a server with INLET_EGRESS=public", () => {
  let server: TestServer;
  let upstream: Imitation;
  let spec: Record<string, unknown>;

  beforeAll(async () => {
    server = await startTestServer({ egress: "public", runner: fastRunner });
    upstream = await startRecordsApi([{ id: 1 }]);
    spec = recordsSpec(upstream.url, "Loopback source");
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  async function playground(path: string, body: unknown) {
    const response = await fetch(`${server.url}/inlet/playground/${path}`, {
      method: "POST",
      headers: { ...headersFor(server.admin), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return (await response.json()) as { error?: { message: string }; result?: boolean; reason?: string };
  }

  const auth = { username: "anyone", password: "secret" };

  it("refuses a playground read and a credentials test of a loopback API, sending nothing", async () => {
    const read = await playground("read", { spec, authSpecName: "Basic Authentication", auth, params: {} });
    expect(read.error?.message).toMatch(/refused: a loopback address, and the egress policy is "public"/);
    const test = await playground("test", {
      spec,
      authSpecName: "Basic Authentication",
      auth: { ...auth, authorizationTestUrl: `${upstream.url}/records` },
    });
    expect(test.result).toBe(false);
    expect(test.reason).toContain("loopback address");
    expect(upstream.stats.log).toHaveLength(0);
  });

  it("fails a scheduled run against a loopback API with the reason, sending nothing", async () => {
    const api = new FlowApi(server.url, server.admin);
    const workflow = await prepareWorkflow(api, {
      connectionSpecId: await registerSpec(api, spec),
      auth: { specName: "Basic Authentication", params: auth },
      schema: { type: "object", properties: { items: { type: "object" } } },
      scheduleParams: { startTime: Math.floor(Date.now() / 1000) - 60, frequency: "once" },
    });
    const [run] = await waitForRuns(api, await createFlow(api, workflow), 1);
    expect(run.state).toBe("failed");
    expect(JSON.stringify(run.metrics.statusSummary.errors)).toContain("loopback address");
    expect(upstream.stats.log).toHaveLength(0);
  });
});
