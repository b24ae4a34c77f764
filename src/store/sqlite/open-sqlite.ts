import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { StoreDialect } from "../kysely/store-dialect.ts";
import { runExclusive } from "./in-process-lock.ts";
import { InletSqliteDialect } from "./sqlite-dialect.ts";

/** Opens (creating if needed) the SQLite file, or a private in-memory database for ":memory:". */
export function openSqlite(file: string): StoreDialect {
  const inMemory = file === ":memory:";
  const resolved = inMemory ? file : path.resolve(file);
  if (!inMemory) mkdirSync(path.dirname(resolved), { recursive: true });
  const database = new Database(resolved);
  try {
    // busy_timeout first: switching to WAL needs a lock another starting process may hold.
    database.pragma("busy_timeout = 5000");
    database.pragma("journal_mode = WAL");
    database.pragma("foreign_keys = ON");
    // NORMAL is durable in WAL mode except for the last commits on power loss, and much faster.
    database.pragma("synchronous = NORMAL");
  } catch (error) {
    database.close();
    throw error;
  }
  return {
    name: "SQLite",
    location: resolved,
    dialect: new InletSqliteDialect({ database }),
    isUniqueViolation,
    // Each ":memory:" connection is its own database: nothing to share, nothing to exclude.
    exclusive: (work) => (inMemory ? work() : runExclusive(resolved, work)),
  };
}

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError &&
    (error.code === "SQLITE_CONSTRAINT_PRIMARYKEY" || error.code === "SQLITE_CONSTRAINT_UNIQUE")
  );
}
