import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OAuthImitation, startOAuthProvider } from "../../test/imitation-apis/oauth.ts";
import type { Imitation } from "../../test/imitation-apis/server.ts";
import { membersApiSpec, oauthItemsSpec, startMembersApi } from "../../test/support/connections-upstream.ts";
import { headersFor } from "../../test/support/server.ts";
import type { IssuedToken } from "../tenancy/tokens.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const script = path.join(root, "test/support/connections-log-server.ts");
const base = "/data/foundation/flowservice";

/**
 * The server's own log output (trace level) over a create/get/patch/explore/test session: no
 * secret may appear in any line. Logging does not depend on the database, so SQLite only.
 */
describe("connection logs", () => {
  let child: ChildProcess;
  let dataDir: string;
  let url: string;
  let token: IssuedToken;
  let api: Imitation;
  let oauth: OAuthImitation;
  const output: string[] = [];
  const password = `pw-${randomUUID()}`;
  const wrongPassword = `wrong-${randomUUID()}`;
  const listToken = `lt-${randomUUID()}`;
  const clientSecret = `cs-${randomUUID()}`;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "inlet-logs-"));
    api = await startMembersApi({ password });
    oauth = await startOAuthProvider({ clientSecret });
    child = spawn(process.execPath, ["--import", "tsx", script, dataDir], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const ready = new Promise<{ url: string; token: IssuedToken }>((resolve, reject) => {
      let pending = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        const text = chunk.toString("utf8");
        output.push(text);
        pending += text;
        for (const line of pending.split("\n").slice(0, -1)) {
          if (line.startsWith('{"ready":true')) resolve(JSON.parse(line));
        }
        pending = pending.slice(pending.lastIndexOf("\n") + 1);
      });
      child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
      child.once("exit", (code) => reject(new Error(`log server exited with ${code}: ${output.join("")}`)));
    });
    ({ url, token } = await ready);
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await api?.close();
    await oauth?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function call(method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${url}${base}${pathname}`, {
      method,
      headers: {
        ...headersFor(token),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  it("logs no secret across create, get, patch, explore, test and rotation", async () => {
    const specId = (await call("POST", "/connectionSpecs", membersApiSpec())).body.id;
    const oauthSpecId = (await call("POST", "/connectionSpecs", oauthItemsSpec())).body.id;
    const params = { host: api.url, username: "ana", password, authorizationTestUrl: `${api.url}/auth/check` };
    const connection = {
      name: "c",
      connectionSpec: { id: specId },
      auth: { specName: "Basic Authentication", params },
    };
    const created = await call("POST", "/connections", connection);
    expect(created.status).toBe(201);
    const id = created.body.id;
    const refused = await call("POST", "/connections", {
      ...connection,
      auth: { specName: "Basic Authentication", params: { ...params, password: wrongPassword } },
    });
    expect(refused.status).toBe(400);
    const shown = (await call("GET", `/connections/${id}`)).body.items[0];
    await call("GET", "/connections");
    const patched = await call(
      "PATCH",
      `/connections/${id}`,
      [{ op: "replace", path: "/auth/params", value: shown.auth.params }],
      {
        "if-match": shown.etag,
      },
    );
    expect(patched.status).toBe(200);
    const rejected = await call(
      "PATCH",
      `/connections/${id}`,
      [{ op: "replace", path: "/auth/params/password", value: wrongPassword }],
      {
        "if-match": patched.body.etag,
      },
    );
    expect(rejected.status).toBe(400);
    const source = await call("POST", "/sourceConnections", {
      name: "s",
      baseConnectionId: id,
      connectionSpec: { id: specId },
      data: { format: "json" },
      params: { listId: "L1", listToken },
    });
    expect(source.status).toBe(201);
    const sourceEtag = (await call("GET", `/sourceConnections/${source.body.id}`)).body.items[0].etag;
    const newListToken = `${listToken}-2`;
    const sourcePatch = [{ op: "replace", path: "/params/listToken", value: newListToken }];
    expect(
      (await call("PATCH", `/sourceConnections/${source.body.id}`, sourcePatch, { "if-match": sourceEtag })).status,
    ).toBe(200);
    await call("GET", `/sourceConnections/${source.body.id}`);
    const sourceParams = Buffer.from(JSON.stringify({ listId: "L1" })).toString("base64");
    expect((await call("GET", `/connections/${id}/explore?sourceParams=${sourceParams}`)).status).toBe(200);
    const failing = Buffer.from(JSON.stringify({ listId: "status-401" })).toString("base64");
    expect((await call("GET", `/connections/${id}/explore?sourceParams=${failing}`)).status).toBe(400);
    expect((await call("GET", `/connections/${id}/test`)).body).toEqual({ result: true });

    const oauthConnection = await call("POST", "/connections", {
      name: "o",
      connectionSpec: { id: oauthSpecId },
      auth: {
        specName: "OAuth2 Refresh Code",
        params: {
          host: oauth.url,
          clientId: "cid",
          clientSecret,
          accessToken: "at-stale",
          refreshToken: "rt-0",
          accessTokenUrl: `${oauth.url}/oauth/token`,
        },
      },
    });
    expect((await call("GET", `/connections/${oauthConnection.body.id}/explore?sourceParams=e30`)).status).toBe(200);
    expect(oauth.tokenCalls()).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 300));
    const logs = output.join("");
    const lines = logs.split("\n").filter((line) => line.startsWith("{"));
    expect(lines.filter((line) => line.includes('"incoming request"')).length).toBeGreaterThanOrEqual(14);
    for (const secret of [password, wrongPassword, listToken, clientSecret, "rt-1-rotated", "at-1-fresh"]) {
      expect(logs).not.toContain(secret);
      expect(logs).not.toContain(Buffer.from(`ana:${secret}`).toString("base64"));
    }
  });
});
