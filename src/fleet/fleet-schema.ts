/**
 * The fleet's own tables, in the schema `inlet_fleet` of the PostgreSQL the metadata store uses:
 * - `pacer`: one row per upstream account (base connection id): when its next request may start;
 * - `leader`: who holds the scheduler's advisory lock now (for operators; the lock is the truth).
 */
import pg from "pg";

export const fleetSchema = "inlet_fleet";

const setupSql = `
  CREATE SCHEMA IF NOT EXISTS ${fleetSchema};
  CREATE TABLE IF NOT EXISTS ${fleetSchema}.pacer (
    key text PRIMARY KEY,
    next_allowed_at timestamptz NOT NULL
  );
  CREATE TABLE IF NOT EXISTS ${fleetSchema}.leader (
    role text PRIMARY KEY,
    holder text NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    since timestamptz NOT NULL DEFAULT now()
  );`;

export async function setupFleetSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext('inlet_fleet:setup'))");
    await client.query(setupSql);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** A pool for fleet bookkeeping, with the listeners pg needs so a dropped idle connection cannot crash the process. */
export function openFleetPool(url: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 });
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  return pool;
}
