/**
 * Fleet-wide request pacing per upstream account. Twenty flows on one Zendesk account, run by any
 * number of workers on any number of machines, share one pace: a row per account key (the base
 * connection id) holds when the account's next request may start. `acquire` reserves the next slot
 * in one atomic statement,
 *
 *   next_allowed_at = greatest(next_allowed_at, now()) + spacing   RETURNING the slot reserved
 *
 * and sleeps until that slot. Slots are handed out in the order the statements commit, so requests
 * are spaced `spacing` apart across the whole fleet, whatever the number of callers. The time is
 * PostgreSQL's clock (`clock_timestamp()`), so the machines' clocks need not agree; each caller
 * only sleeps a duration the database computed.
 *
 * spacing = max(delayRequestMillis of the spec's paginationParams, 60000 / requestsPerMinute of the
 * connection's `limits`). No spacing (both unset) means no pacing and no database round trip.
 */
import type pg from "pg";
import { fleetSchema } from "./fleet-schema.ts";

export interface PaceLimits {
  /** The spec's `paginationParams.delayRequestMillis` (spec §4.6): the wait between two requests. */
  readonly delayRequestMillis?: number | undefined;
  /** The connection's `limits.requestsPerMinute` (an Inlet extension). */
  readonly requestsPerMinute?: number | undefined;
}

/** Milliseconds between two requests to one account; 0 means unpaced. */
export function spacingMs(limits: PaceLimits): number {
  const delay =
    limits.delayRequestMillis !== undefined && limits.delayRequestMillis > 0 ? limits.delayRequestMillis : 0;
  const perMinute =
    limits.requestsPerMinute !== undefined && limits.requestsPerMinute > 0 ? 60_000 / limits.requestsPerMinute : 0;
  return Math.ceil(Math.max(delay, perMinute));
}

export class FleetPacer {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Waits for the account's next request slot (spacing ms after the previous one). Resolves with
   * the slot (epoch ms, PostgreSQL's clock) and the milliseconds waited. Rejects with the signal's
   * reason when aborted while waiting (the slot is then simply unused).
   */
  async acquire(key: string, spacing: number, signal?: AbortSignal): Promise<{ slotAt: number; waitedMs: number }> {
    if (spacing <= 0) return { slotAt: Date.now(), waitedMs: 0 };
    signal?.throwIfAborted();
    const result = await this.pool.query<{ slot_ms: number; wait_ms: number }>(
      `WITH reserved AS (
         INSERT INTO ${fleetSchema}.pacer AS p (key, next_allowed_at)
         VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE
           SET next_allowed_at = greatest(p.next_allowed_at, clock_timestamp()) + $2 * interval '1 millisecond'
         RETURNING p.next_allowed_at - $2 * interval '1 millisecond' AS slot)
       SELECT (extract(epoch FROM slot) * 1000)::float8 AS slot_ms,
              greatest(0, extract(epoch FROM (slot - clock_timestamp())) * 1000)::float8 AS wait_ms
       FROM reserved`,
      [key, spacing],
    );
    const row = result.rows[0];
    const waitedMs = Math.ceil(Number(row?.wait_ms ?? 0));
    if (waitedMs > 0) await sleep(waitedMs, signal);
    return { slotAt: Number(row?.slot_ms ?? 0), waitedMs };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
