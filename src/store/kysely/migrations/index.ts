import type { Migration, MigrationProvider } from "kysely";
import * as initial from "./0001-initial.ts";
import * as tokenLifecycle from "./0002-token-lifecycle.ts";

/**
 * Migrations are imported statically rather than read from a folder at run time, so they work
 * the same under tsx, in a bundle and in tests. The Migrator applies them in key order.
 */
const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  "0001-initial": initial,
  "0002-token-lifecycle": tokenLifecycle,
});

export const inletMigrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
