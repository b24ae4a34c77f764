import { randomUUID } from "node:crypto";
import { Kysely, Migrator } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { storeBackends } from "../../test/support/stores.ts";
import type { DatabaseTarget } from "../config.ts";
import { type ErrorKind, FlowError } from "../errors.ts";
import { openMetadataStore } from "./create-store.ts";
import { migrationLockTableName, migrationTableName } from "./kysely/migrate.ts";
import * as initial from "./kysely/migrations/0001-initial.ts";
import type { InletDatabase } from "./kysely/schema.ts";
import { globalScope, type MetadataStore, type Scope } from "./metadata-store.ts";
import { openPostgres } from "./postgres/open-postgres.ts";
import { openSqlite } from "./sqlite/open-sqlite.ts";

/** The MetadataStore contract, run on every back end (SQLite always, PostgreSQL when configured). */
for (const backend of storeBackends()) {
  describe(`MetadataStore on ${backend.name}`, () => {
    let target: DatabaseTarget;
    let cleanup: () => Promise<void>;
    let store: MetadataStore;
    let opened: MetadataStore[];
    let clock: number;
    // Every test gets its own orgs, so nothing leaks between tests even in one database.
    let acme: Scope;
    let acmeDev: Scope;
    let other: Scope;

    async function open(): Promise<MetadataStore> {
      const instance = await openMetadataStore(target, { now: () => clock });
      opened.push(instance);
      return instance;
    }

    beforeEach(async () => {
      ({ target, cleanup } = await backend.target());
      opened = [];
      clock = 1_700_000_000_000;
      store = await open();
      const suffix = randomUUID().slice(0, 8);
      acme = { orgId: `ACME${suffix}@AdobeOrg`, sandboxName: "prod" };
      acmeDev = { orgId: acme.orgId, sandboxName: "dev" };
      other = { orgId: `OTHER${suffix}@AdobeOrg`, sandboxName: "prod" };
    });

    afterEach(async () => {
      await Promise.all(opened.map((instance) => instance.close()));
      await cleanup();
    });

    describe("resources", () => {
      it("returns what it created, with its scope, parent and equal timestamps", async () => {
        const created = await store.createResource({
          kind: "connections",
          scope: acme,
          id: "c1",
          doc: { name: "Members" },
          parentId: "spec-1",
        });
        expect(created).toMatchObject({
          kind: "connections",
          id: "c1",
          scope: acme,
          doc: { name: "Members" },
          parentId: "spec-1",
          createdAt: clock,
          updatedAt: clock,
        });
        expect(created.etag).toMatch(/^[0-9a-f-]{36}$/);
        expect(await store.getResource("connections", acme, "c1")).toEqual(created);
        expect(await store.getResource("connections", acme, "absent")).toBeUndefined();
      });

      it("keeps the author's key order in documents", async () => {
        const doc = { zeta: 1, alpha: { yankee: true, bravo: [3, 1, 2] }, mike: null };
        await store.createResource({ kind: "flows", scope: acme, id: "f1", doc });
        const stored = await store.getResource("flows", acme, "f1");
        expect(JSON.stringify(stored?.doc)).toBe(JSON.stringify(doc));
      });

      it("lists oldest first, then by id, and only the asked kind", async () => {
        for (const [id, at] of [
          ["b", 2_000],
          ["c", 1_000],
          ["a", 2_000],
        ] as const) {
          clock = at;
          await store.createResource({ kind: "flows", scope: acme, id, doc: { id } });
        }
        await store.createResource({ kind: "runs", scope: acme, id: "run", doc: {} });
        const listed = await store.listResources("flows", acme);
        expect(listed.map((resource) => resource.id)).toEqual(["c", "a", "b"]);
      });

      it("lists only the children of a parent when asked", async () => {
        await store.createResource({ kind: "runs", scope: acme, id: "r1", doc: {}, parentId: "flow-a" });
        await store.createResource({ kind: "runs", scope: acme, id: "r2", doc: {}, parentId: "flow-b" });
        await store.createResource({ kind: "runs", scope: acme, id: "r3", doc: {}, parentId: "flow-a" });
        await store.createResource({ kind: "runs", scope: other, id: "r4", doc: {}, parentId: "flow-a" });
        const children = await store.listResources("runs", acme, { parentId: "flow-a" });
        expect(children.map((resource) => resource.id)).toEqual(["r1", "r3"]);
      });

      it("hides a resource from another org and another sandbox, which cannot change it either", async () => {
        const created = await store.createResource({ kind: "connections", scope: acme, id: "c1", doc: { v: 1 } });
        for (const stranger of [other, acmeDev, globalScope]) {
          expect(await store.getResource("connections", stranger, "c1")).toBeUndefined();
          expect(await store.listResources("connections", stranger)).toEqual([]);
          await expectFlowError(
            store.updateResource({ kind: "connections", scope: stranger, id: "c1", doc: { v: 2 } }),
            "notFound",
          );
          await expectFlowError(
            store.updateResource({
              kind: "connections",
              scope: stranger,
              id: "c1",
              doc: { v: 2 },
              expectedEtag: created.etag,
            }),
            "notFound",
          );
          expect(await store.deleteResource("connections", stranger, "c1")).toBe(false);
          expect(await store.deleteResource("connections", stranger, "c1", created.etag)).toBe(false);
        }
        expect(await store.getResource("connections", acme, "c1")).toEqual(created);
      });

      it("keeps global resources apart from every org", async () => {
        await store.createResource({ kind: "connectionSpecs", scope: globalScope, id: "spec-1", doc: { name: "S" } });
        expect(await store.getResource("connectionSpecs", globalScope, "spec-1")).toMatchObject({
          scope: globalScope,
          doc: { name: "S" },
        });
        expect((await store.listResources("connectionSpecs", globalScope)).map((spec) => spec.id)).toEqual(["spec-1"]);
        expect(await store.getResource("connectionSpecs", acme, "spec-1")).toBeUndefined();
        expect(await store.listResources("connectionSpecs", acme)).toEqual([]);
      });

      it("refuses a duplicate id of the same kind, even in another scope, and keeps the first", async () => {
        await store.createResource({ kind: "flows", scope: acme, id: "f1", doc: { first: true } });
        await expectFlowError(
          store.createResource({ kind: "flows", scope: acme, id: "f1", doc: { first: false } }),
          "badRequest",
        );
        await expectFlowError(
          store.createResource({ kind: "flows", scope: other, id: "f1", doc: { first: false } }),
          "badRequest",
        );
        expect((await store.getResource("flows", acme, "f1"))?.doc).toEqual({ first: true });
        // The same id under another kind is a different resource.
        await expect(store.createResource({ kind: "runs", scope: acme, id: "f1", doc: {} })).resolves.toBeDefined();
      });

      it("gives an update a new etag and updatedAt and keeps createdAt", async () => {
        const created = await store.createResource({ kind: "flows", scope: acme, id: "f1", doc: { v: 1 } });
        clock += 5_000;
        const updated = await store.updateResource({
          kind: "flows",
          scope: acme,
          id: "f1",
          doc: { v: 2 },
          expectedEtag: created.etag,
        });
        expect(updated.etag).not.toBe(created.etag);
        expect(updated).toMatchObject({ doc: { v: 2 }, createdAt: created.createdAt, updatedAt: clock });
        expect(await store.getResource("flows", acme, "f1")).toEqual(updated);
        // Without an expected etag the update is unconditional, and still changes the etag.
        const again = await store.updateResource({ kind: "flows", scope: acme, id: "f1", doc: { v: 3 } });
        expect(again.etag).not.toBe(updated.etag);
        expect(again.doc).toEqual({ v: 3 });
      });

      it("keeps parentId when an update omits it and clears it on null", async () => {
        await store.createResource({ kind: "runs", scope: acme, id: "r1", doc: {}, parentId: "flow-a" });
        const kept = await store.updateResource({ kind: "runs", scope: acme, id: "r1", doc: { n: 1 } });
        expect(kept.parentId).toBe("flow-a");
        const moved = await store.updateResource({ kind: "runs", scope: acme, id: "r1", doc: {}, parentId: "flow-b" });
        expect(moved.parentId).toBe("flow-b");
        const cleared = await store.updateResource({ kind: "runs", scope: acme, id: "r1", doc: {}, parentId: null });
        expect(cleared.parentId).toBeNull();
        expect(await store.countByParent("runs", "flow-b")).toBe(0);
      });

      it("refuses a stale etag with versionMismatch and changes nothing", async () => {
        const created = await store.createResource({ kind: "flows", scope: acme, id: "f1", doc: { v: 1 } });
        const current = await store.updateResource({
          kind: "flows",
          scope: acme,
          id: "f1",
          doc: { v: 2 },
          expectedEtag: created.etag,
        });
        clock += 1_000;
        const error = await expectFlowError(
          store.updateResource({ kind: "flows", scope: acme, id: "f1", doc: { v: 3 }, expectedEtag: created.etag }),
          "versionMismatch",
        );
        expect(error.status).toBe(412);
        expect(error.details).toEqual({ id: "f1", type: "flows" });
        expect(await store.getResource("flows", acme, "f1")).toEqual(current);
      });

      it("reports notFound when updating an absent resource, with or without an etag", async () => {
        await expectFlowError(store.updateResource({ kind: "flows", scope: acme, id: "nope", doc: {} }), "notFound");
        const error = await expectFlowError(
          store.updateResource({ kind: "flows", scope: acme, id: "nope", doc: {}, expectedEtag: randomUUID() }),
          "notFound",
        );
        expect(error.details).toEqual({ id: "nope", type: "flows" });
      });

      it("deletes only with the current etag, and reports an absent resource as false", async () => {
        const created = await store.createResource({ kind: "flows", scope: acme, id: "f1", doc: {} });
        const updated = await store.updateResource({ kind: "flows", scope: acme, id: "f1", doc: { v: 2 } });
        await expectFlowError(store.deleteResource("flows", acme, "f1", created.etag), "versionMismatch");
        expect(await store.getResource("flows", acme, "f1")).toEqual(updated);
        expect(await store.deleteResource("flows", acme, "f1", updated.etag)).toBe(true);
        expect(await store.getResource("flows", acme, "f1")).toBeUndefined();
        expect(await store.deleteResource("flows", acme, "f1")).toBe(false);
        expect(await store.deleteResource("flows", acme, "f1", updated.etag)).toBe(false);
        await store.createResource({ kind: "flows", scope: acme, id: "f2", doc: {} });
        expect(await store.deleteResource("flows", acme, "f2")).toBe(true);
      });

      it("counts children of a parent across every scope, for that kind only", async () => {
        await store.createResource({ kind: "connections", scope: acme, id: "c1", doc: {}, parentId: "spec-1" });
        await store.createResource({ kind: "connections", scope: acmeDev, id: "c2", doc: {}, parentId: "spec-1" });
        await store.createResource({ kind: "connections", scope: other, id: "c3", doc: {}, parentId: "spec-1" });
        await store.createResource({ kind: "connections", scope: acme, id: "c4", doc: {}, parentId: "spec-2" });
        await store.createResource({ kind: "sourceConnections", scope: acme, id: "s1", doc: {}, parentId: "spec-1" });
        expect(await store.countByParent("connections", "spec-1")).toBe(3);
        expect(await store.countByParent("connections", "spec-3")).toBe(0);
      });

      it("lets exactly one of 20 racing updates from two store instances win the same etag", async () => {
        const second = await open();
        const created = await store.createResource({ kind: "flows", scope: acme, id: "f1", doc: { writer: -1 } });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, writer) =>
            (writer % 2 === 0 ? store : second).updateResource({
              kind: "flows",
              scope: acme,
              id: "f1",
              doc: { writer },
              expectedEtag: created.etag,
            }),
          ),
        );
        const winners = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
        const losers = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(19);
        for (const reason of losers) expect(reason).toMatchObject({ name: "FlowError", kind: "versionMismatch" });
        const final = await second.getResource("flows", acme, "f1");
        expect(final?.doc).toEqual(winners[0]?.doc);
        expect(final?.etag).toBe(winners[0]?.etag);
      });
    });

    describe("tokens", () => {
      it("finds a token by the hash of its secret, and nothing by another hash", async () => {
        const token = await store.createToken({ orgId: acme.orgId, role: "admin", apiKey: "key-1", tokenHash: "h1" });
        expect(token).toMatchObject({ orgId: acme.orgId, role: "admin", apiKey: "key-1", createdAt: clock });
        expect(await store.findTokenByHash("h1")).toEqual(token);
        expect(await store.findTokenByHash("h2")).toBeUndefined();
      });

      it("refuses a second token with the same hash", async () => {
        await store.createToken({ orgId: acme.orgId, role: "user", apiKey: "key-1", tokenHash: "h1" });
        await expect(
          store.createToken({ orgId: other.orgId, role: "admin", apiKey: "key-2", tokenHash: "h1" }),
        ).rejects.toThrow();
        expect((await store.findTokenByHash("h1"))?.orgId).toBe(acme.orgId);
      });

      it("refuses a second token with the same api key, which names one token", async () => {
        await store.createToken({ orgId: acme.orgId, role: "user", apiKey: "key-1", tokenHash: "h1" });
        await expect(
          store.createToken({ orgId: acme.orgId, role: "user", apiKey: "key-1", tokenHash: "h2" }),
        ).rejects.toThrow();
        expect(await store.findTokenByHash("h2")).toBeUndefined();
      });

      it("keeps an expiry when given one and reports neither expiry nor revocation otherwise", async () => {
        const expiresAt = new Date(clock + 86_400_000);
        const expiring = await store.createToken({
          orgId: acme.orgId,
          role: "user",
          apiKey: "key-1",
          tokenHash: "h1",
          expiresAt,
        });
        expect(expiring).toMatchObject({ createdAt: clock, expiresAt: expiresAt.getTime() });
        expect(await store.findTokenByHash("h1")).toEqual(expiring);
        const lasting = await store.createToken({ orgId: acme.orgId, role: "user", apiKey: "key-2", tokenHash: "h2" });
        expect(await store.findTokenByHash("h2")).toEqual(lasting);
        expect(Object.keys(lasting).sort()).toEqual(["apiKey", "createdAt", "id", "orgId", "role"]);
      });

      it("lists tokens newest first, all of them or one org's, and never their hashes", async () => {
        for (const [apiKey, orgId, at] of [
          ["key-a", acme.orgId, 1_000],
          ["key-b", other.orgId, 3_000],
          ["key-c", acme.orgId, 2_000],
        ] as const) {
          clock = at;
          await store.createToken({ orgId, role: "user", apiKey, tokenHash: `secret-hash-${apiKey}` });
        }
        const all = await store.listTokens();
        expect(all.map((token) => token.apiKey)).toEqual(["key-b", "key-c", "key-a"]);
        const acmeOnly = await store.listTokens(acme.orgId);
        expect(acmeOnly.map((token) => token.apiKey)).toEqual(["key-c", "key-a"]);
        expect(acmeOnly[0]).toEqual(await store.findTokenByHash("secret-hash-key-c"));
        expect(JSON.stringify(all)).not.toContain("secret-hash");
        expect(await store.listTokens("NOBODY@AdobeOrg")).toEqual([]);
      });

      it("revokes a token by api key once, keeping the first revocation's time", async () => {
        const token = await store.createToken({ orgId: acme.orgId, role: "user", apiKey: "key-1", tokenHash: "h1" });
        await store.createToken({ orgId: acme.orgId, role: "user", apiKey: "key-2", tokenHash: "h2" });
        const revokedAt = new Date(clock + 5_000);
        expect(await store.revokeToken("key-1", revokedAt)).toBe(true);
        expect(await store.revokeToken("key-1", new Date(clock + 9_000))).toBe(false);
        expect(await store.revokeToken("no-such-key", revokedAt)).toBe(false);
        expect(await store.findTokenByHash("h1")).toEqual({ ...token, revokedAt: revokedAt.getTime() });
        expect((await store.findTokenByHash("h2"))?.revokedAt).toBeUndefined();
        expect(await store.listTokens(acme.orgId)).toContainEqual({ ...token, revokedAt: revokedAt.getTime() });
      });
    });

    describe("sandboxes", () => {
      it("creates an org's prod sandbox once, however often ensureOrg runs", async () => {
        await Promise.all([store.ensureOrg(acme.orgId), store.ensureOrg(acme.orgId)]);
        await store.ensureOrg(acme.orgId);
        const sandboxes = await store.listSandboxes(acme.orgId);
        expect(sandboxes.map((sandbox) => sandbox.name)).toEqual(["prod"]);
        expect(await store.getSandbox(acme.orgId, "prod")).toEqual(sandboxes[0]);
        expect(await store.getSandbox(other.orgId, "prod")).toBeUndefined();
      });

      it("refuses a duplicate sandbox in one org but allows the name in another", async () => {
        await store.ensureOrg(acme.orgId);
        clock += 1;
        const dev = await store.createSandbox(acme.orgId, "dev");
        expect(dev).toMatchObject({ orgId: acme.orgId, name: "dev", createdAt: clock });
        await expectFlowError(store.createSandbox(acme.orgId, "dev"), "badRequest");
        await expectFlowError(store.createSandbox(acme.orgId, "prod"), "badRequest");
        await store.createSandbox(other.orgId, "dev");
        expect((await store.listSandboxes(acme.orgId)).map((sandbox) => sandbox.name)).toEqual(["prod", "dev"]);
        expect((await store.listSandboxes(other.orgId)).map((sandbox) => sandbox.name)).toEqual(["dev"]);
      });
    });

    describe("migrations", () => {
      it("treats migrate() on a migrated database as a no-op that keeps the data", async () => {
        await store.createResource({ kind: "flows", scope: acme, id: "f1", doc: { kept: true } });
        await store.migrate();
        await store.migrate();
        expect((await store.getResource("flows", acme, "f1"))?.doc).toEqual({ kept: true });
      });

      it("upgrades a database made by 0001: its tokens keep working, with no expiry", async () => {
        const fresh = await backend.target();
        try {
          const dialect =
            fresh.target.kind === "sqlite" ? openSqlite(fresh.target.file) : openPostgres(fresh.target.url);
          const db = new Kysely<InletDatabase>({ dialect: dialect.dialect });
          try {
            const { error } = await new Migrator({
              db,
              provider: { getMigrations: async () => ({ "0001-initial": initial }) },
              migrationTableName,
              migrationLockTableName,
            }).migrateToLatest();
            expect(error).toBeUndefined();
            await db
              .insertInto("tokens")
              .values({
                id: "t1",
                org_id: acme.orgId,
                role: "admin",
                api_key: "key-1",
                token_hash: "h1",
                created_at: 7,
              })
              .execute();
          } finally {
            await db.destroy();
          }
          const upgraded = await openMetadataStore(fresh.target);
          try {
            const expected = { id: "t1", orgId: acme.orgId, role: "admin", apiKey: "key-1", createdAt: 7 };
            expect(await upgraded.findTokenByHash("h1")).toEqual(expected);
            expect(await upgraded.listTokens()).toEqual([expected]);
            expect(await upgraded.revokeToken("key-1", new Date(9))).toBe(true);
            expect(await upgraded.findTokenByHash("h1")).toEqual({ ...expected, revokedAt: 9 });
          } finally {
            await upgraded.close();
          }
        } finally {
          await fresh.cleanup();
        }
      });

      it("lets two store instances migrate one fresh database at the same time", async () => {
        const fresh = await backend.target();
        try {
          const [first, second] = await Promise.all([openMetadataStore(fresh.target), openMetadataStore(fresh.target)]);
          try {
            await first.createResource({ kind: "flows", scope: acme, id: "f1", doc: {} });
            expect(await second.getResource("flows", acme, "f1")).toBeDefined();
          } finally {
            await Promise.all([first.close(), second.close()]);
          }
        } finally {
          await fresh.cleanup();
        }
      });
    });
  });
}

/** Awaits a rejection and checks it is the FlowError of the given kind; returns it for more checks. */
async function expectFlowError(promise: Promise<unknown>, kind: ErrorKind): Promise<FlowError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(FlowError);
  if (!(error instanceof FlowError)) throw new Error("unreachable");
  expect(error.kind).toBe(kind);
  return error;
}
