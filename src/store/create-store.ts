import type { DatabaseTarget } from "../config.ts";
import { KyselyMetadataStore, type KyselyMetadataStoreOptions } from "./kysely/kysely-metadata-store.ts";
import type { StoreDialect } from "./kysely/store-dialect.ts";
import type { MetadataStore } from "./metadata-store.ts";
import { openPostgres } from "./postgres/open-postgres.ts";
import { redactUrl } from "./postgres/redact-url.ts";
import { openSqlite } from "./sqlite/open-sqlite.ts";

/** The store could not be opened or migrated; the message names the database, never a password. */
export class StoreOpenError extends Error {
  override readonly name = "StoreOpenError";
}

/**
 * Opens the metadata store for a target and applies pending migrations before returning, so
 * callers get a ready schema. Connecting happens here too: a wrong URL fails now, not later.
 */
export async function openMetadataStore(
  target: DatabaseTarget,
  options: KyselyMetadataStoreOptions = {},
): Promise<MetadataStore> {
  let dialect: StoreDialect;
  try {
    dialect = target.kind === "sqlite" ? openSqlite(target.file) : openPostgres(target.url);
  } catch (error) {
    throw openError(describeTarget(target), error);
  }
  const store = new KyselyMetadataStore(dialect, options);
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw openError(`${dialect.name} database ${dialect.location}`, error);
  }
  return store;
}

function describeTarget(target: DatabaseTarget): string {
  return target.kind === "sqlite" ? `SQLite database ${target.file}` : `PostgreSQL database ${redactUrl(target.url)}`;
}

function openError(database: string, cause: unknown): StoreOpenError {
  return new StoreOpenError(`Cannot open the ${database}: ${reasonOf(cause)}`, { cause });
}

/** Node reports a refused "localhost" (IPv4 and IPv6 both tried) as an AggregateError without a message. */
function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.message === "" && error.errors.length > 0) {
    return reasonOf(error.errors[0]);
  }
  if (error instanceof Error) {
    const code = "code" in error && typeof error.code === "string" ? error.code : undefined;
    return error.message || code || error.name;
  }
  return String(error);
}
