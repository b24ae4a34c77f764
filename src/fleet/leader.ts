/**
 * Leader election for the scheduler: one process of the fleet at a time holds a PostgreSQL
 * session-level advisory lock (`pg_try_advisory_lock`) on a connection it keeps for as long as it
 * leads. The scheduler loop runs only while this process leads, so several API replicas never fire
 * a schedule twice.
 *
 * Takeover: when the leader's process ends or crashes, its connection closes and PostgreSQL
 * releases the lock at once; followers try again every `retryMs` (default 10 s, at most 30 s), so
 * one of them leads within that time. When the leader's machine vanishes without closing the
 * socket, the session's TCP keepalives (idle 10 s, interval 5 s, 3 probes, set on the leader's
 * session) make PostgreSQL drop it within about 25 s: takeover stays well under a minute. The
 * leader pings its connection every `checkMs`; a failed ping means the lock may be gone, so it
 * steps down at once and competes again.
 *
 * The leader's connection also LISTENs on `inlet_fleet_wake`: any process may `NOTIFY` it (a flow
 * created, a run finished) to make the scheduler look for due work at once.
 */
import { hostname } from "node:os";
import pg from "pg";
import { fleetSchema } from "./fleet-schema.ts";

export const wakeChannel = "inlet_fleet_wake";

/** The advisory lock's two keys: a class id spelling "INLT" and the scheduler's number. */
const lockClass = 0x494e4c54;
const schedulerLock = 1;

export interface LeaderLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface LeaderOptions {
  readonly url: string;
  /** This process's id (shown in `inlet_fleet.leader`). */
  readonly id: string;
  /** How often a follower tries to take the lock (default 10 s; at most 30 s). */
  readonly retryMs?: number;
  /** How often the leader checks that its connection (and so its lock) is alive (default 5 s). */
  readonly checkMs?: number;
  readonly log: LeaderLog;
  /** Called when this process becomes the leader. */
  readonly onElected: () => void | Promise<void>;
  /** Called when it stops leading (lost connection, or stop()); the scheduler must stop at once. */
  readonly onDeposed: () => void | Promise<void>;
  /** A NOTIFY on the wake channel arrived (only while leading). */
  readonly onWake?: () => void;
}

export class LeaderElection {
  readonly #options: LeaderOptions;
  readonly #retryMs: number;
  #client: pg.Client | undefined;
  #leading = false;
  #stopped = true;
  #timer: NodeJS.Timeout | undefined;
  #attempt: Promise<void> | undefined;

  constructor(options: LeaderOptions) {
    this.#options = options;
    this.#retryMs = Math.min(options.retryMs ?? 10_000, 30_000);
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    await this.#try();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#attempt;
    await this.#stepDown("stopping", true);
  }

  /** Tries once now (tests; the retry timer does it otherwise). */
  tryNow(): Promise<void> {
    return this.#try();
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#try(), delayMs);
    this.#timer.unref();
  }

  #try(): Promise<void> {
    if (this.#attempt !== undefined) return this.#attempt;
    this.#attempt = (async () => {
      try {
        if (this.#stopped) return;
        if (this.#leading) {
          await this.#check();
          return;
        }
        const client = await this.#connect();
        const result = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS locked", [
          lockClass,
          schedulerLock,
        ]);
        if (!result.rows[0]?.locked || this.#stopped) {
          if (result.rows[0]?.locked)
            await client.query("SELECT pg_advisory_unlock($1, $2)", [lockClass, schedulerLock]);
          return;
        }
        this.#leading = true;
        await client.query(`LISTEN ${wakeChannel}`);
        await client
          .query(
            `INSERT INTO ${fleetSchema}.leader (role, holder, host, pid) VALUES ('scheduler', $1, $2, $3)
             ON CONFLICT (role) DO UPDATE SET holder = excluded.holder, host = excluded.host, pid = excluded.pid, since = now()`,
            [this.#options.id, hostname(), process.pid],
          )
          .catch(() => undefined);
        this.#options.log.info({ id: this.#options.id }, "this process leads the scheduler");
        await this.#options.onElected();
      } catch (error) {
        this.#options.log.warn({ err: (error as Error).message }, "leader election attempt failed");
        await this.#stepDown("the election connection failed", false);
      } finally {
        this.#attempt = undefined;
        this.#schedule(this.#leading ? (this.#options.checkMs ?? 5_000) : this.#retryMs);
      }
    })();
    return this.#attempt;
  }

  async #check(): Promise<void> {
    const client = this.#client;
    if (!client) throw new Error("no leader connection");
    await withTimeout(client.query("SELECT 1"), 5_000);
  }

  async #connect(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    const client = new pg.Client({
      connectionString: this.#options.url,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 10_000,
      application_name: "inlet-leader",
    });
    client.on("error", (error) => {
      this.#options.log.warn({ err: error.message }, "the leader election connection failed");
      void this.#stepDown("its connection failed", false);
    });
    client.on("end", () => {
      if (this.#client === client) void this.#stepDown("its connection ended", false);
    });
    client.on("notification", (message) => {
      if (message.channel === wakeChannel && this.#leading) this.#options.onWake?.();
    });
    await client.connect();
    // PostgreSQL notices a vanished leader within ~25 s and frees the lock (server-side keepalives).
    await client.query("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3");
    this.#client = client;
    return client;
  }

  async #stepDown(reason: string, clean: boolean): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    const wasLeading = this.#leading;
    this.#leading = false;
    if (client) {
      if (clean && wasLeading) {
        await client.query("SELECT pg_advisory_unlock($1, $2)", [lockClass, schedulerLock]).catch(() => undefined);
      }
      await client.end().catch(() => undefined);
    }
    if (wasLeading) {
      const log = clean ? this.#options.log.info : this.#options.log.warn;
      log({ id: this.#options.id, reason }, "this process no longer leads the scheduler");
      await this.#options.onDeposed();
    }
    if (!clean) this.#schedule(this.#retryMs);
  }
}

/** Tells the leader, wherever it runs, to look for due work now. */
export async function notifyLeader(pool: pg.Pool): Promise<void> {
  await pool.query(`NOTIFY ${wakeChannel}`);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
