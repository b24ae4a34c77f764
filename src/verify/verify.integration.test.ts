import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headersFor, startTestServer, type TestServer } from "../../test/support/server.ts";
import { main } from "../cli/main.ts";
import { type DemoApi, startDemoApi } from "../demo/demo-api.ts";
import { demoSpecPath } from "../demo/run-demo.ts";

let server: TestServer;
let api: DemoApi;

beforeAll(async () => {
  server = await startTestServer();
  api = await startDemoApi({ headerName: "Authorization", members: 250 });
});
afterAll(async () => {
  await api?.close();
  await server?.close();
});

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (c: Buffer) => {
    text += c.toString("utf8");
  });
  return { stream, text: () => text };
}

async function inlet(...args: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(["node", "inlet", ...args], { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text(), all: stdout.text() + stderr.text() };
}

interface VerifyArgs {
  readonly token?: string;
  readonly authKey?: string;
  readonly authSpec?: string;
  readonly extra?: readonly string[];
}

function verify(options: VerifyArgs = {}) {
  return inlet(
    "verify",
    "--server",
    server.url,
    "--token",
    options.token ?? server.admin.accessToken,
    "--api-key",
    server.admin.apiKey,
    "--org",
    server.admin.orgId,
    "--spec",
    demoSpecPath,
    "--auth-spec",
    options.authSpec ?? "API Key Authentication",
    "--auth",
    JSON.stringify({ host: api.url, authKey1: `Bearer ${options.authKey ?? api.apiKey}` }),
    "--params",
    JSON.stringify({ listId: api.listId }),
    "--poll-interval",
    "0.2",
    "--timeout",
    "60",
    ...(options.extra ?? []),
  );
}

async function listed(path: string): Promise<unknown[]> {
  const response = await fetch(`${server.url}${path}`, { headers: headersFor(server.admin) });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { items?: unknown[] } | Record<string, unknown>;
  return Array.isArray(body.items) ? body.items : Object.keys(body);
}

async function expectNothingLeft(): Promise<void> {
  for (const collection of ["flows", "connections", "sourceConnections", "targetConnections"]) {
    expect(await listed(`/data/foundation/flowservice/${collection}`), collection).toEqual([]);
  }
}

function expectNoSecret(text: string, ...secrets: string[]): void {
  for (const secret of [server.admin.accessToken, server.admin.apiKey, api.apiKey, ...secrets]) {
    expect(text).not.toContain(secret);
  }
}

describe("inlet verify", () => {
  it("runs the whole workflow against a live server, reports every step and cleans up", async () => {
    const result = await verify();
    expect(result.code, result.all).toBe(0);
    expect(result.stdout).toContain("PASSED: every step passed");
    for (const step of [
      "connection spec",
      "flow spec entry",
      "base connection",
      "explore",
      "source connection",
      "dataset",
    ])
      expect(result.stdout).toContain(step);
    expect(result.stdout).toMatch(/records:\s+250 read, 250 written, 0 failed/);
    expect(result.stdout).toMatch(/stop reason:\s+\S+/);
    expect(result.stdout).toMatch(/batch:\s+[0-9A-Z]{26}/);
    expect(result.stdout).toContain('"authKey1":"***"');
    expect(result.stdout).not.toMatch(/\bFAILED\b/);
    expectNoSecret(result.all);
    await expectNothingLeft();
    // Flow spec registration is idempotent: the spec is listed once.
    const flowSpec = (
      await listed("/data/foundation/flowservice/flowSpecs/6499120c-0b15-42dc-936e-847ea3c24d72")
    )[0] as {
      sourceConnectionSpecIds: string[];
    };
    expect(flowSpec.sourceConnectionSpecIds.filter((id) => id === "2e8580db-6489-4726-96de-e33f5f60295f")).toHaveLength(
      1,
    );
  });

  it("fails with a clear step report and exit 1 when the upstream API rejects the credentials", async () => {
    const wrongKey = "wrong-demo-key-0123456789";
    const refusedBefore = api.stats.refused;
    const result = await verify({ authKey: wrongKey });
    expect(result.code, result.all).toBe(1);
    expect(api.stats.refused).toBeGreaterThan(refusedBefore);
    const failedLine = result.stdout.split("\n").find((line) => /\bFAILED\b/.test(line) && !line.startsWith("FAILED"));
    expect(failedLine, result.stdout).toBeDefined();
    expect(result.stdout).toMatch(/^FAILED at "(base connection|explore|source connection)"/m);
    expect(result.stdout).toContain("skipped");
    expectNoSecret(result.all, wrongKey);
    await expectNothingLeft();
  });

  it("exits 3 when the server refuses the token", async () => {
    const result = await verify({ token: "inlet_not-a-real-token" });
    expect(result.code, result.all).toBe(3);
    expect(result.stdout).toContain("refused the credentials");
    expectNoSecret(result.all, "inlet_not-a-real-token");
  });

  it("exits 2 for an authSpec name the connection spec does not have", async () => {
    const result = await verify({ authSpec: "OAuth2 Refresh Code" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no authSpec entry "OAuth2 Refresh Code"');
    expect(result.stderr).toContain('"API Key Authentication"');
  });

  it("never quotes a malformed --auth, which holds credentials", async () => {
    const result = await inlet(
      "verify",
      ...["--server", server.url, "--token", "t", "--api-key", "k", "--org", "o", "--spec", demoSpecPath],
      ...["--auth-spec", "API Key Authentication", "--auth", '{"authKey1": Bearer sup3r-s3cret}'],
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--auth is not valid JSON");
    expect(result.all).not.toContain("sup3r-s3cret");
  });

  it("keeps what it created with --keep", async () => {
    const result = await verify({ extra: ["--keep"] });
    expect(result.code, result.all).toBe(0);
    expect(result.stdout).toMatch(/delete flow\s+kept/);
    expect(await listed("/data/foundation/flowservice/flows")).toHaveLength(1);
  });
});
