import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OAuthImitation, startOAuthProvider } from "../../test/imitation-apis/oauth.ts";
import type { Imitation } from "../../test/imitation-apis/server.ts";
import {
  base64Forms,
  membersApiSpec,
  oauthItemsSpec,
  startMembersApi,
} from "../../test/support/connections-upstream.ts";
import { headersFor, startTestServer, type TestServer } from "../../test/support/server.ts";
import { storeBackends } from "../../test/support/stores.ts";
import { readRecords } from "../engine/index.ts";
import { loadSecretBox } from "../secrets/index.ts";
import type { SecretBox } from "../secrets/secret-box.ts";
import type { Scope } from "../store/metadata-store.ts";
import type { IssuedToken } from "../tenancy/tokens.ts";
import { type ConnectionLogger, exploreConnection, sourceReadContext } from "./index.ts";

const base = "/data/foundation/flowservice";
const dataLake = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";

interface CallOptions {
  readonly token?: IssuedToken;
  readonly sandbox?: string;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON of many shapes
type Body = any;

for (const backend of storeBackends()) {
  describe(`connections on ${backend.name}`, () => {
    let server: TestServer;
    let cleanupDatabase: () => Promise<void>;
    let admin: IssuedToken;
    let user: IssuedToken;
    let stranger: IssuedToken;
    let box: SecretBox;
    let api: Imitation;
    let oauth: OAuthImitation;
    let membersSpecId: string;
    let oauthSpecId: string;
    let prod: Scope;
    let dev: Scope;
    const password = `pw-${randomUUID()}`;
    const listToken = `lt-${randomUUID()}`;
    const clientSecret = `cs-${randomUUID()}`;
    /** Every response body, to prove no secret ever went out. */
    const responses: string[] = [];

    beforeAll(async () => {
      const { target, cleanup } = await backend.target();
      cleanupDatabase = cleanup;
      server = await startTestServer({ target });
      admin = server.admin;
      user = await server.issueToken(admin.orgId, "user");
      stranger = await server.issueToken("STRANGER@AdobeOrg", "admin");
      await server.server.store.createSandbox(admin.orgId, "dev");
      prod = { orgId: admin.orgId, sandboxName: "prod" };
      dev = { orgId: admin.orgId, sandboxName: "dev" };
      box = loadSecretBox({ masterKey: undefined, dataDir: server.dataDir });
      api = await startMembersApi({ password });
      oauth = await startOAuthProvider({ clientSecret, items: 4 });
      membersSpecId = (await call("POST", "/connectionSpecs", { token: admin, body: membersApiSpec() })).body.id;
      oauthSpecId = (await call("POST", "/connectionSpecs", { token: admin, body: oauthItemsSpec() })).body.id;
      expect(membersSpecId).toMatch(/^[0-9a-f-]{36}$/);
      expect(oauthSpecId).toMatch(/^[0-9a-f-]{36}$/);
    });

    afterAll(async () => {
      await api?.close();
      await oauth?.close();
      await server?.close();
      await cleanupDatabase?.();
    });

    async function call(method: string, path: string, options: CallOptions = {}) {
      const headers: Record<string, string> = {
        ...(options.token ? headersFor(options.token, options.sandbox) : {}),
        ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
        ...options.headers,
      };
      const response = await fetch(`${server.url}${base}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await response.text();
      responses.push(text);
      return {
        status: response.status,
        headers: response.headers,
        body: (text ? JSON.parse(text) : undefined) as Body,
      };
    }

    function basicParams(overrides: Record<string, unknown> = {}) {
      return { host: api.url, username: "ana", password, authorizationTestUrl: `${api.url}/auth/check`, ...overrides };
    }

    async function createBase(params: Record<string, unknown> = basicParams(), token = user, sandbox?: string) {
      const created = await call("POST", "/connections", {
        token,
        ...(sandbox ? { sandbox } : {}),
        body: {
          name: "Members",
          connectionSpec: { id: membersSpecId },
          auth: { specName: "Basic Authentication", params },
        },
      });
      expect(created.status).toBe(201);
      return created.body.id as string;
    }

    async function createSource(baseConnectionId: string, params: Record<string, unknown> = { listId: "L1" }) {
      const created = await call("POST", "/sourceConnections", {
        token: user,
        body: {
          name: "src",
          baseConnectionId,
          connectionSpec: { id: membersSpecId },
          data: { format: "json" },
          params,
        },
      });
      expect(created.status).toBe(201);
      return created.body.id as string;
    }

    async function createDataset(scope: Scope): Promise<string> {
      const id = randomBytes(12).toString("hex");
      await server.server.store.createResource({
        kind: "dataSets",
        scope,
        id,
        doc: {
          name: `ds ${id}`,
          schemaRef: {
            id: "https://ns.adobe.com/t/schemas/x",
            contentType: "application/vnd.adobe.xed+json;version=1",
          },
        },
      });
      return id;
    }

    async function rawDoc(kind: "connections" | "sourceConnections", id: string) {
      const stored = await server.server.store.getResource(kind, prod, id);
      expect(stored).toBeDefined();
      return stored!.doc as Body;
    }

    const sourceParamsOf = (value: unknown) => base64Forms(value).padded;

    describe("base connections", () => {
      it("creates one (201, Location, {id, etag}) after the authorization test, storing the matched spec name", async () => {
        const created = await call("POST", "/connections", {
          token: user,
          body: {
            name: "Members",
            description: "prod list",
            connectionSpec: { id: membersSpecId },
            auth: { specName: "basic-authentication", params: basicParams() },
          },
        });
        expect(created.status).toBe(201);
        expect(Object.keys(created.body).sort()).toEqual(["etag", "id"]);
        expect(created.body.etag).toMatch(/^".+"$/);
        expect(created.headers.get("location")).toBe(`${base}/connections/${created.body.id}`);
        expect(api.stats.log.some((entry) => entry.url === "/auth/check")).toBe(true);

        const got = await call("GET", `/connections/${created.body.id}`, { token: user });
        expect(got.status).toBe(200);
        const [item] = got.body.items;
        expect(item).toMatchObject({
          id: created.body.id,
          name: "Members",
          description: "prod list",
          connectionSpec: { id: membersSpecId, version: "1.0" },
          auth: { specName: "Basic Authentication", params: { host: api.url, username: "ana", password: "***" } },
          state: "enabled",
          imsOrgId: admin.orgId,
          sandboxName: "prod",
          etag: created.body.etag,
          version: created.body.etag,
        });
        const listed = await call("GET", "/connections", { token: user });
        const mine = listed.body.items.find((c: Body) => c.id === created.body.id);
        expect(mine.auth.params.password).toBe("***");
      });

      it("seals every secret at rest with the record id as associated data", async () => {
        const id = await createBase();
        const doc = await rawDoc("connections", id);
        expect(JSON.stringify(doc)).not.toContain(password);
        expect(doc.auth.params.password).toMatch(/^v1\./);
        expect(box.open(doc.auth.params.password, id)).toBe(password);
        expect(() => box.open(doc.auth.params.password, randomUUID())).toThrow();
        expect(doc.auth.params.username).toBe("ana");
      });

      it("answers 1415 for an auth spec name the connection spec lacks, naming both", async () => {
        const { status, body } = await call("POST", "/connections", {
          token: user,
          body: { name: "x", connectionSpec: { id: membersSpecId }, auth: { specName: "Kerberos", params: {} } },
        });
        expect(status).toBe(400);
        expect(body.type).toMatch(/FLOW-1415-400$/);
        expect(body.errorMessage).toContain('"Kerberos"');
        expect(body.errorMessage).toContain(membersSpecId);
        expect(body.errorMessage).toContain('"Basic Authentication"');
      });

      it("answers 1413 for an unknown connection spec or a version it does not have; the version defaults", async () => {
        const unknown = await call("POST", "/connections", {
          token: user,
          body: {
            name: "x",
            connectionSpec: { id: randomUUID() },
            auth: { specName: "Basic Authentication", params: {} },
          },
        });
        expect([unknown.status, unknown.body.type]).toEqual([400, expect.stringMatching(/FLOW-1413-400$/)]);
        const version = await call("POST", "/connections", {
          token: user,
          body: {
            name: "x",
            connectionSpec: { id: membersSpecId, version: "2.0" },
            auth: { specName: "Basic Authentication", params: basicParams() },
          },
        });
        expect(version.status).toBe(400);
        expect(version.body.errorMessage).toContain("1.0");
      });

      it("lists every auth params problem with a JSON Pointer, never echoing the secret", async () => {
        const { status, body } = await call("POST", "/connections", {
          token: user,
          body: {
            name: "x",
            connectionSpec: { id: membersSpecId },
            auth: { specName: "Basic Authentication", params: { host: 42, password } },
          },
        });
        expect(status).toBe(400);
        expect(body.type).toMatch(/FLOW-1400-400$/);
        const pointers = body.report.problems.map((p: Body) => p.pointer).sort();
        expect(pointers).toEqual(["/auth/params/host", "/auth/params/username"]);
        expect(JSON.stringify(body)).not.toContain(password);
      });

      it("refuses the mask *** as a secret on create", async () => {
        const { status, body } = await call("POST", "/connections", {
          token: user,
          body: {
            name: "x",
            connectionSpec: { id: membersSpecId },
            auth: { specName: "Basic Authentication", params: basicParams({ password: "***" }) },
          },
        });
        expect(status).toBe(400);
        expect(body.report.problems.map((p: Body) => p.pointer)).toEqual(["/auth/params/password"]);
      });

      it("answers 400 naming the upstream status when the authorization test fails, and stores nothing", async () => {
        const before = (await call("GET", "/connections?count=true", { token: user })).body.count;
        const wrong = `wrong-${randomUUID()}`;
        const { status, body } = await call("POST", "/connections", {
          token: user,
          body: {
            name: "x",
            connectionSpec: { id: membersSpecId },
            auth: { specName: "Basic Authentication", params: basicParams({ password: wrong }) },
          },
        });
        expect(status).toBe(400);
        expect(body.type).toMatch(/FLOW-1400-400$/);
        expect(body.title).toBe("Authorization test failed");
        expect(body.report.upstreamStatus).toBe(401);
        expect(body.errorMessage).toContain("401");
        expect(JSON.stringify(body)).not.toContain(wrong);
        expect((await call("GET", "/connections?count=true", { token: user })).body.count).toBe(before);
      });

      it("PATCH needs If-Match (1403), answers 412 on a stale one and 1414 for a spec change", async () => {
        const id = await createBase();
        const etag = (await call("GET", `/connections/${id}`, { token: user })).body.items[0].etag;
        const ops = [{ op: "replace", path: "/name", value: "renamed" }];
        const missing = await call("PATCH", `/connections/${id}`, { token: user, body: ops });
        expect([missing.status, missing.body.type]).toEqual([400, expect.stringMatching(/FLOW-1403-400$/)]);
        const stale = await call("PATCH", `/connections/${id}`, {
          token: user,
          body: ops,
          headers: { "if-match": `"${randomUUID()}"` },
        });
        expect([stale.status, stale.body.type]).toEqual([412, expect.stringMatching(/FLOW-1404-412$/)]);
        const spec = await call("PATCH", `/connections/${id}`, {
          token: user,
          body: [{ op: "replace", path: "/connectionSpec/id", value: oauthSpecId }],
          headers: { "if-match": etag },
        });
        expect([spec.status, spec.body.type]).toEqual([400, expect.stringMatching(/FLOW-1414-400$/)]);
        const ok = await call("PATCH", `/connections/${id}`, {
          token: user,
          body: ops,
          headers: { "if-match": etag.replace(/"/g, "") },
        });
        expect(ok.status).toBe(200);
        expect(ok.body.id).toBe(id);
        expect(ok.body.etag).not.toBe(etag);
        expect((await call("GET", `/connections/${id}`, { token: user })).body.items[0].name).toBe("renamed");
      });

      it("PATCH keeps a stored secret sent back masked, re-validates and re-tests changed credentials", async () => {
        const id = await createBase();
        const shown = (await call("GET", `/connections/${id}`, { token: user })).body.items[0];
        expect(shown.auth.params.password).toBe("***");
        const kept = await call("PATCH", `/connections/${id}`, {
          token: user,
          body: [{ op: "replace", path: "/auth/params", value: { ...shown.auth.params, username: "ana" } }],
          headers: { "if-match": shown.etag },
        });
        expect(kept.status).toBe(200);
        const doc = await rawDoc("connections", id);
        expect(box.open(doc.auth.params.password, id)).toBe(password);

        const invalid = await call("PATCH", `/connections/${id}`, {
          token: user,
          body: [{ op: "replace", path: "/auth/params/host", value: 42 }],
          headers: { "if-match": kept.body.etag },
        });
        expect(invalid.status).toBe(400);
        expect(invalid.body.report.problems.map((p: Body) => p.pointer)).toEqual(["/auth/params/host"]);

        const wrong = `wrong-${randomUUID()}`;
        const retested = await call("PATCH", `/connections/${id}`, {
          token: user,
          body: [{ op: "replace", path: "/auth/params/password", value: wrong }],
          headers: { "if-match": kept.body.etag },
        });
        expect(retested.status).toBe(400);
        expect(retested.body.report.upstreamStatus).toBe(401);
        expect(JSON.stringify(retested.body)).not.toContain(wrong);
        const unchanged = await rawDoc("connections", id);
        expect(box.open(unchanged.auth.params.password, id)).toBe(password);

        const noMask = await call("PATCH", `/connections/${id}`, {
          token: user,
          body: [{ op: "add", path: "/auth/params/secret", value: "***" }],
          headers: { "if-match": kept.body.etag },
        });
        expect(noMask.status).toBe(400);
        expect(noMask.body.report.problems.map((p: Body) => p.pointer)).toEqual(["/auth/params/secret"]);
      });

      it("PATCH that sets a new secret keeps it out of responses and the stored document", async () => {
        const id = await createBase(basicParams({ authorizationTestUrl: undefined }));
        const etag = (await call("GET", `/connections/${id}`, { token: user })).body.items[0].etag;
        const fresh = `new-${randomUUID()}`;
        const other = `other-${randomUUID()}`;
        const first = await call("PATCH", `/connections/${id}`, {
          token: user,
          body: [{ op: "replace", path: "/auth/params/password", value: fresh }],
          headers: { "if-match": etag },
        });
        expect(first.status).toBe(200);
        const second = await call("PATCH", `/connections/${id}`, {
          token: user,
          body: [
            {
              op: "replace",
              path: "/auth",
              value: {
                specName: "Basic Authentication",
                params: basicParams({ password: other, authorizationTestUrl: undefined }),
              },
            },
          ],
          headers: { "if-match": first.body.etag },
        });
        expect(second.status).toBe(200);
        const shown = await call("GET", `/connections/${id}`, { token: user });
        const doc = await rawDoc("connections", id);
        for (const text of [JSON.stringify(shown.body), JSON.stringify(doc)]) {
          expect(text).not.toContain(fresh);
          expect(text).not.toContain(other);
        }
        expect(shown.body.items[0].lastOperation).toBeUndefined();
        expect(box.open(doc.auth.params.password, id)).toBe(other);
      });

      it("GET /test answers true through authorizationTestUrl, false with the upstream status, 400 when untestable", async () => {
        const good = await createBase();
        expect((await call("GET", `/connections/${good}/test`, { token: user })).body).toEqual({ result: true });

        const wrong = `wrong-${randomUUID()}`;
        const noTestUrl = await createBase(basicParams({ password: wrong, authorizationTestUrl: undefined }));
        const untestable = await call("GET", `/connections/${noTestUrl}/test`, { token: user });
        expect(untestable.status).toBe(400);
        expect(untestable.body.errorMessage).toContain("listId");

        await createSource(noTestUrl);
        const failed = await call("GET", `/connections/${noTestUrl}/test`, { token: user });
        expect(failed.status).toBe(200);
        expect(failed.body.result).toBe(false);
        expect(failed.body.reason).toContain("401");
        expect(JSON.stringify(failed.body)).not.toContain(wrong);

        const viaPreview = await createBase(basicParams({ authorizationTestUrl: undefined }));
        await createSource(viaPreview);
        expect((await call("GET", `/connections/${viaPreview}/test`, { token: user })).body).toEqual({ result: true });
      });
    });

    describe("explore", () => {
      let connection: string;
      beforeAll(async () => {
        connection = await createBase();
      });

      const explore = (query: string, token = user) =>
        call("GET", `/connections/${connection}/explore?${query}`, { token });

      it("previews the first page for every base64 spelling of sourceParams", async () => {
        const value = { listId: "list~~~???" };
        const forms = base64Forms(value);
        expect(forms.padded).toMatch(/[+/].*=$/);
        const spellings = [
          forms.padded.replace(/\+/g, "%2B").replace(/\//g, "%2F"),
          forms.padded, // raw: the query parser turns + into a space
          forms.unpadded.replace(/\+/g, "%2B").replace(/\//g, "%2F"),
          forms.urlSafe,
          forms.percent,
          forms.percent.replace(/%/g, "%25"),
        ];
        for (const spelling of spellings) {
          const { status, body } = await explore(
            `objectType=rest&object=json&fileType=json&preview=true&sourceParams=${spelling}`,
          );
          expect(status, spelling).toBe(200);
          expect(body.format).toBe("hierarchical");
          expect(body.schema.properties.member.properties.email.type).toBe("string");
          expect(body.data).toHaveLength(5);
          expect(body.data[0]).toEqual({ member: { id: "m0", email: "user0@example.com", visits: 0 } });
        }
        expect(api.stats.log.some((entry) => entry.url.startsWith("/lists/list~~~%3F%3F%3F/members"))).toBe(true);
      });

      it("answers 400 naming sourceParams for bad base64, non-object JSON, and params the spec refuses", async () => {
        const bad = await explore("sourceParams=!!notbase64!!");
        expect([bad.status, bad.body.type]).toEqual([400, expect.stringMatching(/FLOW-1451-400$/)]);
        expect(bad.body.errorMessage).toContain("sourceParams");
        const array = await explore(`sourceParams=${base64Forms([1, 2]).padded}`);
        expect([array.status, array.body.report.parameter]).toEqual([400, "sourceParams"]);
        const text = await explore(`sourceParams=${Buffer.from("not json").toString("base64")}`);
        expect([text.status, text.body.report.parameter]).toEqual([400, "sourceParams"]);
        const empty = await explore("sourceParams=e30%3D");
        expect(empty.status).toBe(400);
        expect(empty.body.errorMessage).toContain("sourceParams");
        expect(empty.body.report.problems.map((p: Body) => p.pointer)).toEqual(["/listId"]);
        const table = await explore(`objectType=table&sourceParams=${sourceParamsOf({ listId: "L1" })}`);
        expect([table.status, table.body.report.parameter]).toEqual([400, "objectType"]);
      });

      it("maps upstream failures to Flow errors naming status and URL, never the credentials", async () => {
        const refused = await explore(`sourceParams=${sourceParamsOf({ listId: "status-404" })}`);
        expect(refused.status).toBe(400);
        expect(refused.body.type).toMatch(/FLOW-2200-400$/);
        expect(refused.body.report.upstreamStatus).toBe(404);
        expect(refused.body.report.upstreamUrl).toContain("/lists/status-404/members");
        expect(refused.body.errorMessage).toContain("404");
        const failed = await explore(`sourceParams=${sourceParamsOf({ listId: "status-500" })}`);
        expect(failed.status).toBe(502);
        expect(failed.body.type).toMatch(/FLOW-2200-502$/);
        expect(failed.body.report.upstreamStatus).toBe(500);
        for (const body of [refused.body, failed.body]) {
          expect(JSON.stringify(body)).not.toContain(password);
          expect(JSON.stringify(body)).not.toContain(Buffer.from(`ana:${password}`).toString("base64"));
        }
      });
    });

    describe("OAuth rotation", () => {
      function oauthParams(provider: OAuthImitation, overrides: Record<string, unknown> = {}) {
        return {
          host: provider.url,
          clientId: "cid",
          clientSecret,
          accessToken: "at-stale",
          refreshToken: "rt-0",
          accessTokenUrl: `${provider.url}/oauth/token`,
          ...overrides,
        };
      }

      async function opened(id: string) {
        const doc = await rawDoc("connections", id);
        const params = doc.auth.params;
        return {
          accessToken: box.open(params.accessToken, id),
          refreshToken: box.open(params.refreshToken, id),
          expirationDate: params.expirationDate as string | undefined,
          clientSecretSealed: params.clientSecret as string,
        };
      }

      it("stores rotated tokens on the base connection after an explore, and uses them next time", async () => {
        const created = await call("POST", "/connections", {
          token: user,
          body: {
            name: "oauth",
            connectionSpec: { id: oauthSpecId },
            auth: { specName: "oAuth2RefreshCode", params: oauthParams(oauth) },
          },
        });
        expect(created.status).toBe(201);
        const id = created.body.id;
        const first = await call("GET", `/connections/${id}/explore?objectType=rest&sourceParams=e30`, { token: user });
        expect(first.status).toBe(200);
        expect(first.body.data).toHaveLength(4);
        const afterFirst = await opened(id);
        expect(afterFirst).toMatchObject({ accessToken: "at-1-fresh", refreshToken: "rt-1-rotated" });
        expect(Date.parse(afterFirst.expirationDate ?? "")).toBeGreaterThan(Date.now());
        expect(afterFirst.clientSecretSealed).toMatch(/^v1\./);
        const shown = (await call("GET", `/connections/${id}`, { token: user })).body.items[0];
        expect(shown.etag).not.toBe(created.body.etag);
        expect(shown.auth.params).toMatchObject({ accessToken: "***", refreshToken: "***", clientSecret: "***" });

        oauth.revokeAccessTokens();
        const second = await call("GET", `/connections/${id}/explore?sourceParams=e30%3D`, { token: user });
        expect(second.status).toBe(200);
        expect(await opened(id)).toMatchObject({ accessToken: "at-2-fresh", refreshToken: "rt-2-rotated" });
        expect(oauth.tokenCalls()).toBe(2);
      });

      it("stores the tokens an authorization test rotated during create", async () => {
        const provider = await startOAuthProvider({ clientSecret, initialRefreshToken: "rt-create" });
        try {
          const created = await call("POST", "/connections", {
            token: user,
            body: {
              name: "oauth-created",
              connectionSpec: { id: oauthSpecId },
              auth: {
                specName: "OAuth 2 Refresh Code",
                params: oauthParams(provider, {
                  refreshToken: "rt-create",
                  authorizationTestUrl: `${provider.url}/api/items`,
                }),
              },
            },
          });
          expect(created.status).toBe(201);
          expect(await opened(created.body.id)).toMatchObject({
            accessToken: "at-1-fresh",
            refreshToken: "rt-1-rotated",
          });
          expect(provider.tokenCalls()).toBe(1);
        } finally {
          await provider.close();
        }
      });
    });

    describe("OAuth rotation that cannot be stored", () => {
      it("surfaces the failure, logs without tokens, and stores the rotation at the next read", async () => {
        const provider = await startOAuthProvider({ clientSecret, initialRefreshToken: "rt-lost" });
        try {
          const created = await call("POST", "/connections", {
            token: user,
            body: {
              name: "oauth-lost",
              connectionSpec: { id: oauthSpecId },
              auth: {
                specName: "OAuth2 Refresh Code",
                params: {
                  host: provider.url,
                  clientId: "cid",
                  clientSecret,
                  accessToken: "at-stale",
                  refreshToken: "rt-lost",
                  accessTokenUrl: `${provider.url}/oauth/token`,
                },
              },
            },
          });
          const id = created.body.id as string;
          const store = server.server.store;
          const failing = new Proxy(store, {
            get(target, property) {
              if (property === "updateResource") return async () => Promise.reject(new Error("disk full"));
              const value = Reflect.get(target, property);
              return typeof value === "function" ? value.bind(target) : value;
            },
          });
          const lines: string[] = [];
          const logger: ConnectionLogger = {
            error: (details, message) => lines.push(JSON.stringify({ details, message })),
            warn: (details, message) => lines.push(JSON.stringify({ details, message })),
          };
          const error = await exploreConnection({ store: failing, secrets: box, logger }, prod, id, {
            sourceParams: "e30",
          }).catch((caught: unknown) => caught as Body);
          expect(error).toMatchObject({ kind: "internal", status: 500 });
          expect(error.message).toContain("disk full");
          expect(lines).toHaveLength(1);
          expect(lines[0]).toContain(id);
          for (const token of ["rt-1-rotated", "at-1-fresh", clientSecret]) {
            expect(lines[0]).not.toContain(token);
            expect(error.message).not.toContain(token);
          }
          const stillOld = await rawDoc("connections", id);
          expect(box.open(stillOld.auth.params.refreshToken, id)).toBe("rt-lost");

          const next = await call("GET", `/connections/${id}/explore?sourceParams=e30`, { token: user });
          expect(next.status).toBe(200);
          const stored = await rawDoc("connections", id);
          expect(box.open(stored.auth.params.refreshToken, id)).toBe("rt-1-rotated");
          expect(provider.tokenCalls()).toBe(1);
        } finally {
          await provider.close();
        }
      });
    });

    describe("sourceReadContext", () => {
      it("opens credentials and params, names the auth spec exactly, and is scoped", async () => {
        const baseId = await createBase();
        const sourceId = await createSource(baseId, { listId: "L7", listToken });
        const deps = { store: server.server.store, secrets: box };
        const context = await sourceReadContext(deps, prod, sourceId);
        expect(context).toMatchObject({
          sourceConnectionId: sourceId,
          baseConnectionId: baseId,
          connectionSpecId: membersSpecId,
          authSpecName: "Basic Authentication",
          auth: { host: api.url, username: "ana", password },
          params: { listId: "L7", listToken },
        });
        expect(context.connectionSpec.sourceSpec).toBeDefined();
        expect(context.secretValues).toContain(password);
        const records: unknown[] = [];
        const handle = readRecords({
          spec: context.connectionSpec,
          authSpecName: context.authSpecName,
          auth: context.auth,
          params: context.params,
        });
        for await (const record of handle) records.push(record);
        expect(records).toHaveLength(12);
        await expect(sourceReadContext(deps, dev, sourceId)).rejects.toMatchObject({ kind: "notFound" });
        await expect(sourceReadContext(deps, prod, randomUUID())).rejects.toMatchObject({ kind: "notFound" });
      });

      it("stores rotations handed to onCredentialsRotated on the base connection", async () => {
        const baseId = (
          await call("POST", "/connections", {
            token: user,
            body: {
              name: "oauth-ctx",
              connectionSpec: { id: oauthSpecId },
              auth: {
                specName: "OAuth2 Refresh Code",
                params: { host: oauth.url, accessToken: "a0", refreshToken: "r0" },
              },
            },
          })
        ).body.id as string;
        const sourceId = (
          await call("POST", "/sourceConnections", {
            token: user,
            body: {
              name: "s",
              baseConnectionId: baseId,
              connectionSpec: { id: oauthSpecId },
              data: { format: "json" },
            },
          })
        ).body.id as string;
        const context = await sourceReadContext({ store: server.server.store, secrets: box }, prod, sourceId);
        expect(context.params).toEqual({});
        await context.onCredentialsRotated({ accessToken: "ctx-at", refreshToken: "ctx-rt" });
        const doc = await rawDoc("connections", baseId);
        expect([box.open(doc.auth.params.accessToken, baseId), box.open(doc.auth.params.refreshToken, baseId)]).toEqual(
          ["ctx-at", "ctx-rt"],
        );
      });
    });

    describe("source connections", () => {
      let members: string;
      let oauthBase: string;
      beforeAll(async () => {
        members = await createBase();
        oauthBase = (
          await call("POST", "/connections", {
            token: user,
            body: {
              name: "oauth2",
              connectionSpec: { id: oauthSpecId },
              auth: { specName: "OAuth2 Refresh Code", params: { host: oauth.url, accessToken: "unused-token" } },
            },
          })
        ).body.id;
      });

      it("creates one with sealed secrets and the inherited base connection", async () => {
        const id = await createSource(members, { listId: "L1", listToken });
        const item = (await call("GET", `/sourceConnections/${id}`, { token: user })).body.items[0];
        expect(item).toMatchObject({
          name: "src",
          baseConnectionId: members,
          connectionSpec: { id: membersSpecId, version: "1.0" },
          data: { format: "json" },
          params: { listId: "L1", listToken: "***" },
          state: "enabled",
          inheritedAttributes: {
            baseConnection: { id: members, connectionSpec: { id: membersSpecId, version: "1.0" } },
          },
        });
        const doc = await rawDoc("sourceConnections", id);
        expect(JSON.stringify(doc)).not.toContain(listToken);
        expect(box.open(doc.params.listToken, id)).toBe(listToken);
        const filtered = await call("GET", `/sourceConnections?property=baseConnectionId==${members}`, { token: user });
        expect(filtered.body.items.map((s: Body) => s.id)).toContain(id);
      });

      it("validates params against sourceSpec.spec, with pointers", async () => {
        const { status, body } = await call("POST", "/sourceConnections", {
          token: user,
          body: {
            name: "src",
            baseConnectionId: members,
            connectionSpec: { id: membersSpecId },
            data: { format: "json" },
            params: { listToken: 7 },
          },
        });
        expect(status).toBe(400);
        expect(body.report.problems.map((p: Body) => p.pointer).sort()).toEqual([
          "/params/listId",
          "/params/listToken",
        ]);
      });

      it("reads the nested sourceSpec.attributes.spec layout too", async () => {
        const ok = await call("POST", "/sourceConnections", {
          token: user,
          body: {
            name: "items",
            baseConnectionId: oauthBase,
            connectionSpec: { id: oauthSpecId },
            data: { format: "json" },
            params: {},
          },
        });
        expect(ok.status).toBe(201);
        const bad = await call("POST", "/sourceConnections", {
          token: user,
          body: {
            name: "items",
            baseConnectionId: oauthBase,
            connectionSpec: { id: oauthSpecId },
            data: { format: "json" },
            params: { category: "z" },
          },
        });
        expect(bad.status).toBe(400);
        expect(bad.body.report.problems.map((p: Body) => p.pointer)).toEqual(["/params/category"]);
      });

      it("refuses a base connection of another connection spec (1413), another sandbox or none (404)", async () => {
        const otherSpec = await call("POST", "/sourceConnections", {
          token: user,
          body: {
            name: "src",
            baseConnectionId: oauthBase,
            connectionSpec: { id: membersSpecId },
            data: { format: "json" },
            params: { listId: "L1" },
          },
        });
        expect([otherSpec.status, otherSpec.body.type]).toEqual([400, expect.stringMatching(/FLOW-1413-400$/)]);
        expect(otherSpec.body.errorMessage).toContain(oauthSpecId);
        const devBase = await createBase(basicParams(), user, "dev");
        for (const baseConnectionId of [devBase, randomUUID()]) {
          const missing = await call("POST", "/sourceConnections", {
            token: user,
            body: {
              name: "src",
              baseConnectionId,
              connectionSpec: { id: membersSpecId },
              data: { format: "json" },
              params: { listId: "L1" },
            },
          });
          expect([missing.status, missing.body.type]).toEqual([404, expect.stringMatching(/FLOW-1101-404$/)]);
        }
        const none = await call("POST", "/sourceConnections", {
          token: user,
          body: {
            name: "src",
            connectionSpec: { id: membersSpecId },
            data: { format: "json" },
            params: { listId: "L1" },
          },
        });
        expect(none.status).toBe(400);
        expect(none.body.report.problems.map((p: Body) => p.pointer)).toEqual(["/baseConnectionId"]);
      });

      it("PATCH: If-Match rules, 1414, masked secret kept, params re-validated", async () => {
        const id = await createSource(members, { listId: "L1", listToken });
        const shown = (await call("GET", `/sourceConnections/${id}`, { token: user })).body.items[0];
        const missing = await call("PATCH", `/sourceConnections/${id}`, {
          token: user,
          body: [{ op: "replace", path: "/name", value: "n" }],
        });
        expect(missing.body.type).toMatch(/FLOW-1403-400$/);
        const stale = await call("PATCH", `/sourceConnections/${id}`, {
          token: user,
          body: [{ op: "replace", path: "/name", value: "n" }],
          headers: { "if-match": randomUUID() },
        });
        expect(stale.status).toBe(412);
        const spec = await call("PATCH", `/sourceConnections/${id}`, {
          token: user,
          body: [{ op: "replace", path: "/connectionSpec", value: { id: oauthSpecId, version: "1.0" } }],
          headers: { "if-match": shown.etag },
        });
        expect(spec.body.type).toMatch(/FLOW-1414-400$/);
        const invalid = await call("PATCH", `/sourceConnections/${id}`, {
          token: user,
          body: [{ op: "remove", path: "/params/listId" }],
          headers: { "if-match": shown.etag },
        });
        expect(invalid.body.report.problems.map((p: Body) => p.pointer)).toEqual(["/params/listId"]);
        const ok = await call("PATCH", `/sourceConnections/${id}`, {
          token: user,
          body: [{ op: "replace", path: "/params", value: { ...shown.params, listId: "L2" } }],
          headers: { "if-match": shown.etag },
        });
        expect(ok.status).toBe(200);
        const doc = await rawDoc("sourceConnections", id);
        expect(doc.params.listId).toBe("L2");
        expect(box.open(doc.params.listToken, id)).toBe(listToken);
        const newToken = `lt-new-${randomUUID()}`;
        const replaced = await call("PATCH", `/sourceConnections/${id}`, {
          token: user,
          body: [{ op: "replace", path: "/params/listToken", value: newToken }],
          headers: { "if-match": ok.body.etag },
        });
        expect(replaced.status).toBe(200);
        const after = await rawDoc("sourceConnections", id);
        expect(box.open(after.params.listToken, id)).toBe(newToken);
        expect(JSON.stringify(after)).not.toContain(newToken);
        expect(JSON.stringify((await call("GET", `/sourceConnections/${id}`, { token: user })).body)).not.toContain(
          newToken,
        );
      });
    });

    describe("target connections", () => {
      it("creates one on the Data Lake spec with a dataset of the same sandbox", async () => {
        const dataSetId = await createDataset(prod);
        const created = await call("POST", "/targetConnections", {
          token: user,
          body: {
            name: "to lake",
            connectionSpec: { id: dataLake, version: "1.0" },
            data: {
              format: "parquet_xdm",
              schema: {
                id: "https://ns.adobe.com/t/schemas/x",
                version: "application/vnd.adobe.xed-full+json;version=1",
              },
            },
            params: { dataSetId },
          },
        });
        expect(created.status).toBe(201);
        expect(created.headers.get("location")).toBe(`${base}/targetConnections/${created.body.id}`);
        const item = (await call("GET", `/targetConnections/${created.body.id}`, { token: user })).body.items[0];
        expect(item).toMatchObject({
          name: "to lake",
          connectionSpec: { id: dataLake, version: "1.0" },
          data: { format: "parquet_xdm", schema: { id: "https://ns.adobe.com/t/schemas/x" } },
          params: { dataSetId },
          state: "enabled",
        });
        const stored = await server.server.store.getResource("targetConnections", prod, created.body.id);
        expect(stored?.parentId).toBe(dataSetId);
      });

      it("refuses another connection spec (1413) and a dataset of another sandbox or none (404)", async () => {
        const dataSetId = await createDataset(prod);
        const spec = await call("POST", "/targetConnections", {
          token: user,
          body: { connectionSpec: { id: membersSpecId }, data: { format: "json" }, params: { dataSetId } },
        });
        expect([spec.status, spec.body.type]).toEqual([400, expect.stringMatching(/FLOW-1413-400$/)]);
        const devDataset = await createDataset(dev);
        for (const id of [devDataset, "0123456789abcdef01234567"]) {
          const missing = await call("POST", "/targetConnections", {
            token: user,
            body: { connectionSpec: { id: dataLake }, data: { format: "json" }, params: { dataSetId: id } },
          });
          expect([missing.status, missing.body.report.type]).toEqual([404, "dataSets"]);
        }
        const created = await call("POST", "/targetConnections", {
          token: user,
          body: { connectionSpec: { id: dataLake }, data: { format: "json" }, params: { dataSetId } },
        });
        const etag = created.body.etag;
        const immutable = await call("PATCH", `/targetConnections/${created.body.id}`, {
          token: user,
          body: [{ op: "replace", path: "/connectionSpec/id", value: membersSpecId }],
          headers: { "if-match": etag },
        });
        expect(immutable.body.type).toMatch(/FLOW-1414-400$/);
        const moved = await call("PATCH", `/targetConnections/${created.body.id}`, {
          token: user,
          body: [{ op: "replace", path: "/params/dataSetId", value: devDataset }],
          headers: { "if-match": etag },
        });
        expect(moved.status).toBe(404);
        const missingIfMatch = await call("PATCH", `/targetConnections/${created.body.id}`, {
          token: user,
          body: [{ op: "replace", path: "/name", value: "n" }],
        });
        expect(missingIfMatch.body.type).toMatch(/FLOW-1403-400$/);
      });
    });

    describe("deletes and references", () => {
      it("refuses to delete what a flow or a source connection uses (1418), then deletes in order", async () => {
        const baseId = await createBase();
        const sourceId = await createSource(baseId);
        const dataSetId = await createDataset(prod);
        const targetId = (
          await call("POST", "/targetConnections", {
            token: user,
            body: { name: "t", connectionSpec: { id: dataLake }, data: { format: "json" }, params: { dataSetId } },
          })
        ).body.id;
        const flowId = randomUUID();
        await server.server.store.createResource({
          kind: "flows",
          scope: prod,
          id: flowId,
          doc: { name: "flow", sourceConnectionIds: [sourceId], targetConnectionIds: [targetId], state: "enabled" },
          parentId: sourceId,
        });
        for (const path of [
          `/connections/${baseId}`,
          `/sourceConnections/${sourceId}`,
          `/targetConnections/${targetId}`,
        ]) {
          const refused = await call("DELETE", path, { token: user });
          expect(refused.status, path).toBe(400);
          expect(refused.body.type).toMatch(/FLOW-1418-400$/);
          expect(refused.body.errorMessage).toContain(flowId);
        }
        await server.server.store.deleteResource("flows", prod, flowId);
        const baseStillUsed = await call("DELETE", `/connections/${baseId}`, { token: user });
        expect(baseStillUsed.body.type).toMatch(/FLOW-1418-400$/);
        expect(baseStillUsed.body.errorMessage).toContain(sourceId);
        expect((await call("DELETE", `/targetConnections/${targetId}`, { token: user })).status).toBe(204);
        expect((await call("DELETE", `/sourceConnections/${sourceId}`, { token: user })).status).toBe(204);
        expect((await call("DELETE", `/connections/${baseId}`, { token: user })).status).toBe(204);
        expect((await call("GET", `/connections/${baseId}`, { token: user })).status).toBe(404);
      });
    });

    describe("tenancy", () => {
      it("answers another org 404 for every resource and shows another sandbox nothing of prod", async () => {
        const baseId = await createBase();
        const sourceId = await createSource(baseId);
        const dataSetId = await createDataset(prod);
        const targetId = (
          await call("POST", "/targetConnections", {
            token: user,
            body: { name: "t", connectionSpec: { id: dataLake }, data: { format: "json" }, params: { dataSetId } },
          })
        ).body.id;
        const paths = [`/connections/${baseId}`, `/sourceConnections/${sourceId}`, `/targetConnections/${targetId}`];
        const patch = [{ op: "replace", path: "/name", value: "stolen" }];
        for (const path of paths) {
          expect((await call("GET", path, { token: stranger })).status, path).toBe(404);
          expect(
            (await call("PATCH", path, { token: stranger, body: patch, headers: { "if-match": "*" } })).status,
            path,
          ).toBe(404);
          expect((await call("DELETE", path, { token: stranger })).status, path).toBe(404);
          expect((await call("GET", path, { token: admin, sandbox: "dev" })).status, path).toBe(404);
        }
        expect((await call("GET", `/connections/${baseId}/test`, { token: stranger })).status).toBe(404);
        expect((await call("GET", `/connections/${baseId}/explore?sourceParams=e30`, { token: stranger })).status).toBe(
          404,
        );
        expect(
          (await call("GET", `/connections/${baseId}/explore?sourceParams=e30`, { token: user, sandbox: "dev" }))
            .status,
        ).toBe(404);
        for (const kind of ["connections", "sourceConnections", "targetConnections"]) {
          expect((await call("GET", `/${kind}`, { token: stranger })).body.items).toEqual([]);
          const devIds = (await call("GET", `/${kind}`, { token: user, sandbox: "dev" })).body.items.map(
            (i: Body) => i.id,
          );
          expect(devIds).not.toContain(baseId);
          expect(devIds).not.toContain(sourceId);
          expect(devIds).not.toContain(targetId);
        }
        const stranded = await call("POST", "/sourceConnections", {
          token: stranger,
          body: {
            name: "src",
            baseConnectionId: baseId,
            connectionSpec: { id: membersSpecId },
            data: { format: "json" },
            params: { listId: "L1" },
          },
        });
        expect(stranded.status).toBe(404);
      });
    });

    it("never sent a secret in any response body", () => {
      expect(responses.length).toBeGreaterThan(50);
      const all = responses.join("\n");
      for (const secret of [
        password,
        listToken,
        clientSecret,
        "rt-1-rotated",
        "rt-2-rotated",
        "at-1-fresh",
        "ctx-rt",
      ]) {
        expect(all).not.toContain(secret);
      }
    });
  });
}
