/**
 * A fresh PostgreSQL database per test file (or per cluster run), dropped afterwards. The server
 * comes from INLET_TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { testDatabaseUrl } from "../../src/config.ts";

export interface FreshDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** The server to create test databases on, or undefined (PostgreSQL suites are then skipped). */
export function postgresServerUrl(): string | undefined {
  return testDatabaseUrl();
}

export async function freshDatabase(serverUrl: string, prefix = "inlet_test"): Promise<FreshDatabase> {
  // Random hex only, so the name is a safe identifier without quoting.
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE (PostgreSQL 13+) ends connections a failed test or a killed process left open.
    drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
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
