import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openMetadataStore, StoreOpenError } from "./create-store.ts";

describe("openMetadataStore", () => {
  it("names an unreachable PostgreSQL database without its password", async () => {
    // Port 1 on loopback refuses at once: nothing listens there.
    const opening = openMetadataStore({ kind: "postgres", url: "postgres://inlet:s3cret@127.0.0.1:1/inlet" });
    const error = await opening.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(StoreOpenError);
    const message = error instanceof Error ? error.message : "";
    expect(message).toContain("PostgreSQL database postgres://inlet:***@127.0.0.1:1/inlet");
    expect(message).toContain("ECONNREFUSED");
    expect(message).not.toContain("s3cret");
  });

  it("creates the SQLite file's missing parent directories and returns a migrated store", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "inlet-open-"));
    try {
      const file = path.join(dir, "nested", "deeper", "inlet.sqlite");
      const store = await openMetadataStore({ kind: "sqlite", file });
      try {
        await store.ensureOrg("ACME@AdobeOrg");
        expect((await store.listSandboxes("ACME@AdobeOrg")).map((sandbox) => sandbox.name)).toEqual(["prod"]);
        expect((await stat(file)).isFile()).toBe(true);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("opens a private in-memory SQLite database per store for :memory:", async () => {
    const [first, second] = await Promise.all([
      openMetadataStore({ kind: "sqlite", file: ":memory:" }),
      openMetadataStore({ kind: "sqlite", file: ":memory:" }),
    ]);
    try {
      await first.ensureOrg("ACME@AdobeOrg");
      expect(await first.getSandbox("ACME@AdobeOrg", "prod")).toBeDefined();
      expect(await second.getSandbox("ACME@AdobeOrg", "prod")).toBeUndefined();
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("reports a SQLite path that cannot be created, naming it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "inlet-open-"));
    try {
      // A regular file where a directory is needed: fails the same for root and other users.
      const blocker = path.join(dir, "blocker");
      const store = await openMetadataStore({ kind: "sqlite", file: blocker });
      await store.close();
      await expect(openMetadataStore({ kind: "sqlite", file: path.join(blocker, "inlet.sqlite") })).rejects.toThrow(
        `Cannot open the SQLite database ${path.join(blocker, "inlet.sqlite")}`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
