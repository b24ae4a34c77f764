import { type Kysely, Migrator } from "kysely";
import { inletMigrationProvider } from "./migrations/index.ts";
import type { InletDatabase } from "./schema.ts";

/**
 * Our own names, so Inlet can share a PostgreSQL database with another Kysely application.
 * Exported for tests that build a database at an older migration.
 */
export const migrationTableName = "inlet_migration";
export const migrationLockTableName = "inlet_migration_lock";

/**
 * Applies every pending migration. Kysely's Migrator serialises concurrent callers: on
 * PostgreSQL with an advisory lock, on SQLite through the IMMEDIATE transaction our dialect
 * opens (see ../sqlite). A second caller then finds nothing pending.
 */
export async function migrateToLatest(db: Kysely<InletDatabase>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: inletMigrationProvider,
    migrationTableName,
    migrationLockTableName,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === "Error")?.migrationName;
  // No failed migration means the Migrator never got that far (e.g. no connection): rethrow as is.
  if (failed === undefined) throw error;
  const reason = error instanceof Error ? error.message : String(error);
  throw new Error(`migration ${failed} failed: ${reason}`, { cause: error });
}
