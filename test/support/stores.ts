import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { type DatabaseTarget, testDatabaseUrl } from "../../src/config.ts";

/** A database back end the contract and API suites run against. */
export interface StoreBackend {
  readonly name: "SQLite" | "PostgreSQL";
  /** A fresh, empty database; `cleanup` removes it (close stores on it first). */
  target(): Promise<{ target: DatabaseTarget; cleanup(): Promise<void> }>;
}

/** SQLite always; PostgreSQL too when INLET_TEST_DATABASE_URL names a server we may create databases on. */
export function storeBackends(): StoreBackend[] {
  const url = testDatabaseUrl();
  return url === undefined ? [sqliteBackend] : [sqliteBackend, postgresBackend(url)];
}

const sqliteBackend: StoreBackend = {
  name: "SQLite",
  async target() {
    const dir = await mkdtemp(path.join(tmpdir(), "inlet-store-"));
    return {
      target: { kind: "sqlite", file: path.join(dir, "inlet.sqlite") },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

function postgresBackend(serverUrl: string): StoreBackend {
  return {
    name: "PostgreSQL",
    async target() {
      // Random hex only, so the name is a safe SQL identifier without quoting.
      const name = `inlet_test_${randomBytes(6).toString("hex")}`;
      await onServer(serverUrl, `CREATE DATABASE ${name}`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return {
        target: { kind: "postgres", url: url.toString() },
        // FORCE (PostgreSQL 13+) ends connections a failed test may have left open.
        cleanup: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      };
    },
  };
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
