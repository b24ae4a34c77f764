/**
 * Secrets at rest, on both databases: after connections are created (Basic password, a source
 * param marked password, OAuth client secret and tokens) and OAuth tokens are rotated by an
 * explore, no plaintext secret is anywhere in the database (the SQLite file and WAL read byte by
 * byte; every PostgreSQL table read as text), and Inlet access tokens are stored as hashes only.
 * The key file is created 0600, and a ciphertext moved onto another record does not open.
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseTarget } from "../../src/config.ts";
import { isSealed } from "../../src/connections/secret-fields.ts";
import { type OAuthImitation, startOAuthProvider } from "../imitation-apis/oauth.ts";
import type { Imitation } from "../imitation-apis/server.ts";
import { membersApiSpec, oauthItemsSpec, startMembersApi } from "../support/connections-upstream.ts";
import { FlowApi } from "../support/flows-workflow.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { storeBackends } from "../support/stores.ts";

const secret = (label: string) => `${label}-${randomBytes(24).toString("base64url")}`;

/** Every byte the database holds, as text: the SQLite files, or each PostgreSQL table's rows. */
async function databaseText(target: DatabaseTarget): Promise<string> {
  if (target.kind === "sqlite") {
    const dir = path.dirname(target.file);
    const files = (await readdir(dir)).filter((name) => name.startsWith(path.basename(target.file)));
    const bytes = await Promise.all(files.map((name) => readFile(path.join(dir, name))));
    return Buffer.concat(bytes).toString("latin1");
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    const tables = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    const rows: string[] = [];
    for (const { schema, name } of tables.rows) {
      const result = await client.query(`SELECT t::text AS row FROM "${schema}"."${name}" t`);
      rows.push(...result.rows.map((row: { row: string }) => row.row));
    }
    expect(rows.join("\n")).toContain("v1.");
    return rows.join("\n");
  } finally {
    await client.end();
  }
}

describe.each(storeBackends())("secrets at rest ($name)", (backend) => {
  let server: TestServer;
  let target: DatabaseTarget;
  let cleanup: () => Promise<void>;
  let members: Imitation;
  let oauth: OAuthImitation;
  let api: FlowApi;
  const password = secret("pw");
  const listToken = secret("lt");
  const clientSecret = secret("cs");
  const accessToken = secret("at");
  const refreshToken = secret("rt");

  beforeAll(async () => {
    const database = await backend.target();
    target = database.target;
    cleanup = database.cleanup;
    server = await startTestServer({ target });
    members = await startMembersApi({ password });
    oauth = await startOAuthProvider({ clientSecret, initialRefreshToken: refreshToken });
    api = new FlowApi(server.url, server.admin);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await members?.close();
    await oauth?.close();
    await cleanup?.();
  });

  async function basicConnection(specId: string, name: string): Promise<string> {
    const auth = { specName: "Basic Authentication", params: { host: members.url, username: "ana", password } };
    return (await api.ok("POST", "/connections", { name, connectionSpec: { id: specId }, auth })).body.id;
  }

  it("holds no plaintext secret after connections are created and OAuth tokens rotated", async () => {
    const membersSpecId = (await api.ok("POST", "/connectionSpecs", membersApiSpec("At rest members"))).body.id;
    const oauthSpecId = (await api.ok("POST", "/connectionSpecs", oauthItemsSpec("At rest OAuth"))).body.id;
    const basicId = await basicConnection(membersSpecId, "basic");
    await api.ok("POST", "/sourceConnections", {
      name: "source",
      baseConnectionId: basicId,
      connectionSpec: { id: membersSpecId },
      data: { format: "json" },
      params: { listId: "L1", listToken },
    });
    const oauthParams = {
      host: oauth.url,
      clientId: "cid",
      clientSecret,
      accessToken,
      refreshToken,
      expirationDate: "2001-01-01T00:00:00Z",
      accessTokenUrl: `${oauth.url}/oauth/token`,
    };
    const oauthId = (
      await api.ok("POST", "/connections", {
        name: "oauth",
        connectionSpec: { id: oauthSpecId },
        auth: { specName: "OAuth2 Refresh Code", params: oauthParams },
      })
    ).body.id;
    await api.ok("GET", `/connections/${oauthId}/explore?sourceParams=e30`);
    expect(oauth.tokenCalls()).toBe(1);

    // The rotation was stored (sealed) on the connection.
    const stored = await server.server.store.getResource(
      "connections",
      { orgId: server.admin.orgId, sandboxName: "prod" },
      oauthId,
    );
    if (!stored) throw new Error("the OAuth connection is missing");
    const params = (stored.doc.auth as { params: Record<string, unknown> }).params;
    for (const name of ["clientSecret", "accessToken", "refreshToken"]) expect(isSealed(params[name]), name).toBe(true);

    const text = await databaseText(target);
    for (const [name, value] of Object.entries({
      password,
      listToken,
      clientSecret,
      accessToken,
      refreshToken,
      rotatedRefreshToken: "rt-1-rotated",
      rotatedAccessToken: "at-1-fresh",
      inletAccessToken: server.admin.accessToken,
    })) {
      expect(text.includes(value), `${name} is stored in clear`).toBe(false);
    }
  });

  it("creates the key file readable by its owner only", async () => {
    const mode = (await stat(path.join(server.dataDir, "master.key"))).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it("does not open a ciphertext moved onto another record", async () => {
    const specId = (await api.ok("POST", "/connectionSpecs", membersApiSpec("Moved ciphertext"))).body.id;
    const first = await basicConnection(specId, "first");
    const second = await basicConnection(specId, "second");
    const scope = { orgId: server.admin.orgId, sandboxName: "prod" };
    const store = server.server.store;
    const from = await store.getResource("connections", scope, first);
    const to = await store.getResource("connections", scope, second);
    if (!from || !to) throw new Error("connections missing");
    const sealed = (from.doc.auth as { params: { password: string } }).params.password;
    expect(isSealed(sealed)).toBe(true);
    // A database-level swap: the second connection now holds the first one's ciphertext.
    const auth = to.doc.auth as { specName: string; params: Record<string, unknown> };
    await store.updateResource({
      kind: "connections",
      scope,
      id: second,
      doc: { ...to.doc, auth: { ...auth, params: { ...auth.params, password: sealed } } },
      expectedEtag: to.etag,
    });
    for (const route of [
      `/connections/${second}/test`,
      `/connections/${second}/explore?sourceParams=${btoa('{"listId":"L1"}')}`,
    ]) {
      const reply = await api.call("GET", route);
      expect(reply.status, route).toBe(500);
      const body = JSON.stringify(reply.body);
      expect(body).not.toContain(password);
      expect(body).not.toContain(sealed.split(".")[3]);
    }
    expect(members.stats.log.filter((entry) => entry.url.startsWith("/lists/L1")).length).toBe(0);
    // The API shows the mask, never the ciphertext; sending a ciphertext back is refused.
    const shown = (await api.ok("GET", `/connections/${second}`)).body.items[0];
    expect(shown.auth.params.password).toBe("***");
    const patch = [{ op: "replace", path: "/auth/params/password", value: sealed }];
    const refused = await api.call("PATCH", `/connections/${second}`, patch, { "if-match": shown.etag });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("does not belong to this record");
  });
});
