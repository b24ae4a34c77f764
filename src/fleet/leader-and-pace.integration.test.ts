import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FreshDatabase, freshDatabase, postgresServerUrl } from "../../test/cluster/fresh-database.ts";
import { openFleetPool, setupFleetSchema } from "./fleet-schema.ts";
import { LeaderElection, notifyLeader } from "./leader.ts";
import { FleetPacer, spacingMs } from "./rate-limit.ts";

const server = postgresServerUrl();
const quiet = { info() {}, warn() {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(20);
  }
}

describe("spacingMs", () => {
  it("is the larger of delayRequestMillis and 60000/requestsPerMinute, 0 when neither is set", () => {
    expect(spacingMs({})).toBe(0);
    expect(spacingMs({ delayRequestMillis: 850 })).toBe(850);
    expect(spacingMs({ requestsPerMinute: 100 })).toBe(600);
    expect(spacingMs({ delayRequestMillis: 850, requestsPerMinute: 100 })).toBe(850);
    expect(spacingMs({ delayRequestMillis: 100, requestsPerMinute: 30 })).toBe(2000);
  });
});

describe.skipIf(server === undefined)("fleet coordination on PostgreSQL", () => {
  let db: FreshDatabase;
  const pools: pg.Pool[] = [];
  const pool = () => {
    const p = openFleetPool(db.url);
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    db = await freshDatabase(server as string);
    await setupFleetSchema(pool());
  });
  afterAll(async () => {
    for (const p of pools) await p.end().catch(() => undefined);
    await db?.drop();
  });

  it("spaces one account's requests across processes, and leaves other accounts alone", async () => {
    const pacers = [new FleetPacer(pool()), new FleetPacer(pool()), new FleetPacer(pool())];
    const slots: number[] = [];
    const starts: number[] = [];
    const other: number[] = [];
    const t0 = Date.now();
    await Promise.all([
      ...Array.from({ length: 24 }, async (_, i) => {
        const { slotAt } = (await pacers[i % 3]?.acquire("account-a", 40)) ?? { slotAt: 0 };
        slots.push(slotAt);
        starts.push(Date.now());
      }),
      ...Array.from({ length: 5 }, async () => {
        await pacers[0]?.acquire("account-b", 5);
        other.push(Date.now() - t0);
      }),
    ]);
    // The slots PostgreSQL handed out are exactly 40 ms apart, whatever the order of the callers.
    slots.sort((a, b) => a - b);
    const slotGaps = slots.slice(1).map((t, i) => t - (slots[i] ?? t));
    expect(Math.min(...slotGaps)).toBeGreaterThanOrEqual(39.9);
    // Each caller then sleeps the duration the database computed: its start lags its slot by the
    // answer's travel and the event loop, a few ms (tens on a loaded machine), never less.
    starts.sort((a, b) => a - b);
    expect((starts.at(-1) ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(23 * 40 - 40);
    expect(Math.max(...other)).toBeLessThan(1_000);
  });

  it("stops waiting when aborted", async () => {
    const pacer = new FleetPacer(pool());
    await pacer.acquire("account-c", 5_000);
    const controller = new AbortController();
    const waiting = pacer.acquire("account-c", 5_000, controller.signal);
    setTimeout(() => controller.abort(new Error("stop")), 50);
    await expect(waiting).rejects.toThrow("stop");
  });

  it("elects one leader, and another takes over when it goes", async () => {
    const events: string[] = [];
    const make = (id: string) =>
      new LeaderElection({
        url: db.url,
        id,
        retryMs: 200,
        checkMs: 100,
        log: quiet,
        onElected: () => {
          events.push(`elected ${id}`);
        },
        onDeposed: () => {
          events.push(`deposed ${id}`);
        },
        onWake: () => {
          events.push(`wake ${id}`);
        },
      });
    const a = make("a");
    const b = make("b");
    await a.start();
    await b.start();
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    await notifyLeader(pools[0] as pg.Pool);
    await until(() => events.includes("wake a"));
    expect(events).not.toContain("wake b");

    // The leader's session dies (a crashed process, a dropped connection): b leads within its retry.
    // Only this test's database: other suites' leaders may be running beside it.
    const admin = pool();
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'inlet-leader' AND datname = current_database() AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)",
    );
    await until(() => events.includes("elected b"));
    expect(b.isLeader).toBe(true);
    expect(events).toContain("deposed a");
    expect(a.isLeader).toBe(false);
    const holder = await admin.query("SELECT holder FROM inlet_fleet.leader WHERE role = 'scheduler'");
    expect(holder.rows[0]?.holder).toBe("b");

    // A clean stop hands over too.
    await b.stop();
    await until(() => events.at(-1) === "elected a");
    expect(a.isLeader).toBe(true);
    await a.stop();
  });
});
