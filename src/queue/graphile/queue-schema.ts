/**
 * Inlet's own tables beside graphile-worker's (schema `graphile_worker`), in the schema
 * `inlet_queue` of the same database:
 * - `workers`: one row per worker process (its id, graphile's pool id, heartbeat). A process whose
 *   row is stale is dead: its jobs and named queues are unlocked for others.
 * - `group_slots`: the fleet-wide semaphore of job groups (one row per running job of a group, with
 *   a lease its worker renews; a dead worker's slots expire or are removed by the sweep).
 */
import type pg from "pg";

export const queueSchema = "inlet_queue";

const setupSql = `
  CREATE SCHEMA IF NOT EXISTS ${queueSchema};
  CREATE TABLE IF NOT EXISTS ${queueSchema}.workers (
    id text PRIMARY KEY,
    pool_id text,
    host text NOT NULL,
    pid integer NOT NULL,
    concurrency integer NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS ${queueSchema}.group_slots (
    group_key text NOT NULL,
    holder text NOT NULL,
    worker_id text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (group_key, holder)
  );
  CREATE INDEX IF NOT EXISTS group_slots_worker ON ${queueSchema}.group_slots (worker_id);`;

export async function setupQueueSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext('inlet_queue:setup'))");
    await client.query(setupSql);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Takes a slot of `group` for `holder` if fewer than `limit` live holders have one; true when held
 * (also when `holder` held it already: the lease is renewed). Serialised per group by an advisory
 * transaction lock, so two workers never both take the last slot.
 */
export async function acquireGroupSlot(
  pool: pg.Pool,
  slot: { group: string; limit: number; holder: string; workerId: string; leaseMs: number },
): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`inlet_queue:group:${slot.group}`]);
    await client.query(`DELETE FROM ${queueSchema}.group_slots WHERE group_key = $1 AND expires_at <= now()`, [
      slot.group,
    ]);
    const held = await client.query<{ holder: string }>(
      `SELECT holder FROM ${queueSchema}.group_slots WHERE group_key = $1`,
      [slot.group],
    );
    const mine = held.rows.some((row) => row.holder === slot.holder);
    const granted = mine || held.rows.length < slot.limit;
    if (granted) {
      await client.query(
        `INSERT INTO ${queueSchema}.group_slots (group_key, holder, worker_id, expires_at)
         VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
         ON CONFLICT (group_key, holder) DO UPDATE SET worker_id = excluded.worker_id, expires_at = excluded.expires_at`,
        [slot.group, slot.holder, slot.workerId, slot.leaseMs],
      );
    }
    await client.query("COMMIT");
    return granted;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function releaseGroupSlot(pool: pg.Pool, group: string, holder: string): Promise<void> {
  await pool.query(`DELETE FROM ${queueSchema}.group_slots WHERE group_key = $1 AND holder = $2`, [group, holder]);
}

/** Live holders of a group's slots (tests and diagnostics). */
export async function groupSlotHolders(pool: pg.Pool, group: string): Promise<string[]> {
  const rows = await pool.query<{ holder: string }>(
    `SELECT holder FROM ${queueSchema}.group_slots WHERE group_key = $1 AND expires_at > now() ORDER BY holder`,
    [group],
  );
  return rows.rows.map((row) => row.holder);
}
