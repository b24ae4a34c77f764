import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headersFor, startTestServer, type TestServer } from "../../test/support/server.ts";
import { membersSpec } from "../../test/support/specs.ts";
import { storeBackends } from "../../test/support/stores.ts";
import { restStorageToAepFlowSpecId } from "../specs/index.ts";
import type { IssuedToken } from "../tenancy/tokens.ts";

const base = "/data/foundation/flowservice";

for (const backend of storeBackends()) {
  describe(`Flow Service API on ${backend.name}`, () => {
    let server: TestServer;
    let cleanupDatabase: () => Promise<void>;
    let admin: IssuedToken;
    let user: IssuedToken;

    beforeAll(async () => {
      const { target, cleanup } = await backend.target();
      cleanupDatabase = cleanup;
      server = await startTestServer({ target, bodyLimit: 64 * 1024 });
      admin = server.admin;
      user = await server.issueToken(admin.orgId, "user");
    });

    afterAll(async () => {
      await server?.close();
      await cleanupDatabase?.();
    });

    async function call(
      method: string,
      path: string,
      options: { token?: IssuedToken; headers?: Record<string, string>; body?: unknown; raw?: string } = {},
    ) {
      const headers: Record<string, string> = {
        ...(options.token ? headersFor(options.token) : {}),
        ...(options.body !== undefined || options.raw !== undefined ? { "content-type": "application/json" } : {}),
        ...options.headers,
      };
      const response = await fetch(`${server.url}${path.startsWith("/data") ? path : base + path}`, {
        method,
        headers,
        body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
    }

    async function countSpecs(): Promise<number> {
      return (await call("GET", "/connectionSpecs?count=true", { token: admin })).body.count;
    }

    describe("authentication and tenancy", () => {
      it("answers a missing bearer token with the gateway's 403010", async () => {
        const { status, body } = await call("GET", "/connectionSpecs", { headers: { "x-api-key": admin.apiKey } });
        expect(status).toBe(403);
        expect(body).toEqual({ error_code: "403010", message: "Oauth token is missing." });
      });

      it("answers an unknown token with 401013", async () => {
        const { status, body } = await call("GET", "/connectionSpecs", {
          headers: { ...headersFor(admin), authorization: "Bearer inlet_forged" },
        });
        expect(status).toBe(401);
        expect(body.error_code).toBe("401013");
      });

      /** What a forged token gets: status and body are what a revoked or expired one must get too. */
      async function forged() {
        const { status, body } = await call("GET", "/flowSpecs", {
          headers: { ...headersFor(admin), authorization: "Bearer inlet_forged" },
        });
        expect([status, body]).toEqual([401, { error_code: "401013", message: "Oauth token is not valid" }]);
        return { status, body };
      }

      it("answers an expired token exactly like an unknown one, whatever api key comes with it", async () => {
        const unknown = await forged();
        const lasting = await server.issueToken(admin.orgId, "user", { expiresAt: new Date(Date.now() + 3_600_000) });
        expect((await call("GET", "/flowSpecs", { token: lasting })).status).toBe(200);
        const expired = await server.issueToken(admin.orgId, "user", { expiresAt: new Date(Date.now() - 1) });
        for (const apiKey of [expired.apiKey, user.apiKey]) {
          const { status, body } = await call("GET", "/flowSpecs", {
            token: expired,
            headers: { "x-api-key": apiKey },
          });
          expect({ status, body }).toEqual(unknown);
        }
      });

      it("answers a revoked token exactly like an unknown one, from the next request on", async () => {
        const unknown = await forged();
        const revoked = await server.issueToken(admin.orgId, "admin");
        expect((await call("GET", "/flowSpecs", { token: revoked })).status).toBe(200);
        expect(await server.server.store.revokeToken(revoked.apiKey, new Date())).toBe(true);
        for (const apiKey of [revoked.apiKey, user.apiKey]) {
          const { status, body } = await call("GET", "/flowSpecs", {
            token: revoked,
            headers: { "x-api-key": apiKey },
          });
          expect({ status, body }).toEqual(unknown);
        }
        // The other tokens of the org are untouched.
        expect((await call("GET", "/flowSpecs", { token: admin })).status).toBe(200);
      });

      it("answers a missing api key with 403000 and another token's api key with 403003", async () => {
        const missing = await call("GET", "/connectionSpecs", {
          headers: { authorization: `Bearer ${admin.accessToken}` },
        });
        expect([missing.status, missing.body.error_code]).toEqual([403, "403000"]);
        const wrong = await call("GET", "/connectionSpecs", { token: admin, headers: { "x-api-key": user.apiKey } });
        expect([wrong.status, wrong.body.error_code]).toEqual([403, "403003"]);
      });

      it("answers a missing org header with 400003", async () => {
        const { status, body } = await call("GET", "/connectionSpecs", {
          headers: { authorization: `Bearer ${admin.accessToken}`, "x-api-key": admin.apiKey },
        });
        expect([status, body.error_code]).toEqual([400, "400003"]);
      });

      it("refuses a token used with another org (FLOW-2000-401)", async () => {
        const other = await server.issueToken("OTHER@AdobeOrg");
        const { status, body } = await call("GET", "/flowSpecs", {
          token: other,
          headers: { "x-gw-ims-org-id": admin.orgId },
        });
        expect(status).toBe(401);
        expect(body.type).toBe("https://ns.adobe.com/aep/errors/FLOW-2000-401");
        expect(body.report["request-id"]).toEqual(expect.any(String));
      });

      it("answers an unknown sandbox with FLOW-2100-404 and a created one with 200", async () => {
        const unknown = await call("GET", "/flowSpecs", { token: admin, headers: { "x-sandbox-name": "nope" } });
        expect(unknown.status).toBe(404);
        expect(unknown.body.type).toMatch(/FLOW-2100-404$/);
        await server.server.store.createSandbox(admin.orgId, "dev");
        const dev = await call("GET", "/flowSpecs", { token: admin, headers: { "x-sandbox-name": "dev" } });
        expect(dev.status).toBe(200);
      });

      it("puts x-request-id on every response, echoing a well-formed one", async () => {
        const ok = await call("GET", "/flowSpecs", { token: admin, headers: { "x-request-id": "trace-123" } });
        expect(ok.headers.get("x-request-id")).toBe("trace-123");
        const denied = await call("GET", "/flowSpecs");
        expect(denied.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
        const health = await fetch(`${server.url}/healthz`);
        expect(health.status).toBe(200);
        expect(health.headers.get("x-request-id")).toBeTruthy();
      });
    });

    describe("connection specs", () => {
      it("creates a spec (201, metadata, etag) and answers GET by id in the list envelope", async () => {
        const created = await call("POST", "/connectionSpecs", {
          token: admin,
          body: membersSpec({ name: "Created" }),
        });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({ name: "Created", imsOrgId: admin.orgId, sandboxName: "prod" });
        expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(created.body.etag).toMatch(/^".+"$/);
        expect(created.body.createdAt).toBeGreaterThan(1_600_000_000_000);
        const fetched = await call("GET", `/connectionSpecs/${created.body.id}`, { token: user });
        expect(fetched.body.items).toHaveLength(1);
        expect(fetched.body.items[0].sourceSpec.attributes.urlParams.path).toBe("/3.0/lists/${listId}/members");
      });

      it("refuses spec authoring with a user token (1426) and changes nothing", async () => {
        const before = await countSpecs();
        const { status, body } = await call("POST", "/connectionSpecs", { token: user, body: membersSpec() });
        expect(status).toBe(400);
        expect(body.type).toMatch(/FLOW-1426-400$/);
        expect(await countSpecs()).toBe(before);
      });

      it("reports five distinct problems of one spec together, each with its pointer", async () => {
        const broken = membersSpec({ name: undefined, attributes: { category: "notACategory" } });
        const attributes = (broken.sourceSpec as { attributes: Record<string, unknown> }).attributes;
        attributes.urlParams = { host: "https://${domain}.example.com", path: "/lists/${missingParam}", method: "GET" };
        attributes.paginationParams = { type: "OFFSET", limitValue: "100" };
        attributes.contentPath = { path: "$.members[?(alert(1))]" };
        (broken.authSpec as { spec: Record<string, unknown> }[])[0]!.spec.type = "objectx";
        const before = await countSpecs();
        const { status, body } = await call("POST", "/connectionSpecs", { token: admin, body: broken });
        expect(status).toBe(400);
        const pointers: string[] = body.report.problems
          .filter((problem: { severity: string }) => problem.severity === "error")
          .map((problem: { pointer: string }) => problem.pointer);
        expect(pointers).toEqual(
          expect.arrayContaining([
            "/authSpec/0/spec/type",
            "/sourceSpec/attributes/urlParams/path",
            "/sourceSpec/attributes/contentPath/path",
            expect.stringMatching(/^\/sourceSpec\/attributes\/paginationParams/),
            expect.stringMatching(/^\/attributes\/category|^\/name|^$/),
          ]),
        );
        expect(new Set(pointers).size).toBeGreaterThanOrEqual(5);
        expect(await countSpecs()).toBe(before);
      });

      it("pages through three pages with continuationToken, honouring filters and orderby", async () => {
        for (const name of ["page-a", "page-b", "page-c", "page-d", "page-e"]) {
          const { status } = await call("POST", "/connectionSpecs", { token: admin, body: membersSpec({ name }) });
          expect(status).toBe(201);
        }
        const names: string[] = [];
        let path: string | undefined = `${base}/connectionSpecs?limit=2&orderby=-name&property=name>=page-a`;
        let pages = 0;
        while (path && pages < 5) {
          const { status, body } = await call("GET", path, { token: user });
          expect(status).toBe(200);
          names.push(...body.items.map((item: { name: string }) => item.name));
          path = body._links.next?.href;
          pages++;
        }
        expect(pages).toBe(3);
        expect(names).toEqual(["page-e", "page-d", "page-c", "page-b", "page-a"]);
        const counted = await call("GET", "/connectionSpecs?count=true&property=name==page-a,page-b", { token: user });
        expect(counted.body).toEqual({ count: 2 });
        const both = await call("GET", "/connectionSpecs?count=true&limit=2", { token: user });
        expect(both.body.type).toMatch(/FLOW-1401-400$/);
      });

      it("replaces a spec with PUT: new etag and updatedAt; a stale If-Match gets 412 (1404)", async () => {
        const created = (await call("POST", "/connectionSpecs", { token: admin, body: membersSpec({ name: "v1" }) }))
          .body;
        const stale = created.etag;
        const updated = await call("PUT", `/connectionSpecs/${created.id}`, {
          token: admin,
          headers: { "if-match": stale.replaceAll('"', "") },
          body: membersSpec({ name: "v2" }),
        });
        expect(updated.status).toBe(200);
        expect(updated.body.name).toBe("v2");
        expect(updated.body.etag).not.toBe(stale);
        expect(updated.body.updatedAt).toBeGreaterThanOrEqual(created.updatedAt);
        const conflict = await call("PUT", `/connectionSpecs/${created.id}`, {
          token: admin,
          headers: { "if-match": stale },
          body: membersSpec({ name: "v3" }),
        });
        expect(conflict.status).toBe(412);
        expect(conflict.body.type).toMatch(/FLOW-1404-412$/);
        const after = await call("GET", `/connectionSpecs/${created.id}`, { token: admin });
        expect(after.body.items[0].name).toBe("v2");
      });

      it("deletes an unused spec (204) and then answers 404 (1101)", async () => {
        const created = (await call("POST", "/connectionSpecs", { token: admin, body: membersSpec({ name: "gone" }) }))
          .body;
        expect((await call("DELETE", `/connectionSpecs/${created.id}`, { token: admin })).status).toBe(204);
        const missing = await call("GET", `/connectionSpecs/${created.id}`, { token: admin });
        expect(missing.status).toBe(404);
        expect(missing.body.type).toMatch(/FLOW-1101-404$/);
        expect(missing.body.report).toMatchObject({ id: created.id, type: "connectionSpecs" });
      });
    });

    describe("request hygiene", () => {
      it("names the position of malformed JSON and changes nothing", async () => {
        const before = await countSpecs();
        const { status, body } = await call("POST", "/connectionSpecs", {
          token: admin,
          raw: '{"name": "x",\n  "type": }',
        });
        expect(status).toBe(400);
        expect(body.report["detailed-message"]).toMatch(/line 2, column \d+ \(position \d+\)/);
        expect(await countSpecs()).toBe(before);
      });

      it("answers an oversized body with 413", async () => {
        const huge = membersSpec({ description: "x".repeat(100 * 1024) });
        const { status, body } = await call("POST", "/connectionSpecs", { token: admin, body: huge });
        expect(status).toBe(413);
        expect(body.type).toMatch(/FLOW-1406-413$/);
      });

      it("answers a body without Content-Type as Adobe does", async () => {
        const response = await fetch(`${server.url}${base}/connectionSpecs`, {
          method: "POST",
          headers: { ...headersFor(admin) },
          body: Buffer.from(JSON.stringify(membersSpec())),
        });
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({
          type: "/placeholder/type/uri",
          status: 400,
          title: "BadRequestError",
          detail: "A valid content-type must be specified",
        });
      });

      it("answers an empty POST body with 1405", async () => {
        const { status, body } = await call("POST", "/connectionSpecs", { token: admin, raw: "" });
        expect(status).toBe(400);
        expect(body.type).toMatch(/FLOW-1405-400$/);
      });
    });

    describe("flow specs", () => {
      it("has RestStorageToAEP from the first start", async () => {
        const { status, body } = await call("GET", `/flowSpecs/${restStorageToAepFlowSpecId}`, { token: user });
        expect(status).toBe(200);
        expect(body.items[0]).toMatchObject({
          name: "RestStorageToAEP",
          targetConnectionSpecIds: ["c604ff05-7f1a-43c0-8e18-33bf874cb11c"],
        });
        expect(body.items[0].scheduleSpec.spec.if).toBeDefined();
      });

      it("PUT appends a connection spec id (admin, If-Match), then GET shows it", async () => {
        const spec = (await call("POST", "/connectionSpecs", { token: admin, body: membersSpec({ name: "listed" }) }))
          .body;
        const current = (await call("GET", `/flowSpecs/${restStorageToAepFlowSpecId}`, { token: admin })).body.items[0];
        const next = { ...current, sourceConnectionSpecIds: [...current.sourceConnectionSpecIds, spec.id] };
        const denied = await call("PUT", `/flowSpecs/${restStorageToAepFlowSpecId}`, { token: user, body: next });
        expect(denied.body.type).toMatch(/FLOW-1426-400$/);
        const put = await call("PUT", `/flowSpecs/${restStorageToAepFlowSpecId}`, {
          token: admin,
          headers: { "if-match": current.etag },
          body: next,
        });
        expect(put.status).toBe(200);
        const after = (await call("GET", `/flowSpecs/${restStorageToAepFlowSpecId}`, { token: user })).body.items[0];
        expect(after.sourceConnectionSpecIds).toContain(spec.id);
        expect(after.etag).not.toBe(current.etag);
      });
    });

    describe("OpenAPI", () => {
      it("serves an OpenAPI 3 document generated from the route schemas, and the docs page", async () => {
        const response = await fetch(`${server.url}/openapi.json`);
        expect(response.status).toBe(200);
        const body = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
        expect(body.openapi).toMatch(/^3\./);
        expect(Object.keys(body.paths)).toEqual(
          expect.arrayContaining([`${base}/connectionSpecs`, `${base}/connectionSpecs/{id}`, `${base}/flowSpecs/{id}`]),
        );
        const docs = await fetch(`${server.url}/docs`, { redirect: "follow" });
        expect(docs.status).toBe(200);
      });
    });
  });
}
