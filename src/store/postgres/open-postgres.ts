import { PostgresDialect } from "kysely";
import pg from "pg";
import type { StoreDialect } from "../kysely/store-dialect.ts";
import { redactUrl } from "./redact-url.ts";

/** Sized for one Inlet process; several processes share the server's max_connections (100). */
const poolSize = 10;
/** pg waits forever for a connection by default; fail start-up instead of hanging. */
const connectTimeoutMs = 10_000;

const uniqueViolation = "23505";

/** A lazily connecting pool: the first query (the migration in openMetadataStore) connects. */
export function openPostgres(url: string): StoreDialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    types: { getTypeParser },
  });
  // An idle client losing its connection (server restart) is emitted on the pool; without a
  // listener Node would crash. The pool discards that client and the next query reconnects.
  pool.on("error", () => undefined);
  return {
    name: "PostgreSQL",
    location: redactUrl(url),
    dialect: new PostgresDialect({ pool }),
    isUniqueViolation: (error) => error instanceof pg.DatabaseError && error.code === uniqueViolation,
    // The Migrator's advisory lock already excludes other pools and processes.
    exclusive: (work) => work(),
  };
}

type TypeParserArgs = Parameters<typeof pg.types.getTypeParser>;

/**
 * BIGINT (int8) arrives as a string by default, since it may exceed 2^53. Our bigints are epoch
 * milliseconds and counts, far below that, so they become numbers; per pool, not globally.
 */
function getTypeParser(...[oid, format]: TypeParserArgs): (text: string) => unknown {
  if (oid === pg.types.builtins.INT8 && format !== "binary") return parseInt8;
  return pg.types.getTypeParser(oid, format);
}

/** Leaves an unsafe value a string, for the row mapper to reject: throwing here would escape pg. */
function parseInt8(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}
