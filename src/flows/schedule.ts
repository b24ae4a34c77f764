/**
 * Schedule arithmetic (spec §1.8, §4.7), pure and in UTC epoch milliseconds: no calendars, no DST.
 *
 * A flow fires at `startTime + k × interval × frequency` (k = 0, 1, …; `once` fires only at
 * startTime). Each run reads one window, and windows tile time exactly: a window ends at a fire
 * time and the next one starts where it ended. The first window starts at the Unix epoch when the
 * flow backfills (and for `once`), else at startTime (so a non-backfill flow's first run is at
 * startTime + one step: the window [startTime, startTime) would be empty).
 *
 * The only state a flow's schedule needs is its cursor: the end of the last window a run was
 * created for. `nextWindow(schedule, cursor)` is the window after it, so after downtime the missed
 * windows come one after another, none skipped and none repeated, and a changed schedule (PATCH)
 * continues from the cursor onto the new grid.
 */

export const frequencies = ["once", "minute", "hour", "day", "week"] as const;
export type Frequency = (typeof frequencies)[number];

const unitMs: Readonly<Record<Exclude<Frequency, "once">, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

export interface Schedule {
  /** Epoch seconds, as the API takes it. */
  readonly startTime: number;
  readonly frequency: Frequency;
  /** Absent for `once`. */
  readonly interval?: number | undefined;
  /** Defaults to true (the flow spec's default); `once` always reads from the epoch. */
  readonly backfill?: boolean | undefined;
}

export interface Window {
  /** Epoch milliseconds, inclusive. */
  readonly start: number;
  /** Epoch milliseconds, exclusive; the run's scheduled time. */
  readonly end: number;
  /** The first window of a backfilling flow: the engine uses the spec's backfill query. */
  readonly backfill: boolean;
}

/** Turns the string forms Adobe's examples send ("1632809759", "15", "true") into the typed ones. */
export function coerceScheduleParams(raw: unknown): unknown {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const params = { ...(raw as Record<string, unknown>) };
  for (const key of ["startTime", "interval"]) {
    const value = params[key];
    if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) params[key] = Number(value.trim());
  }
  if (params.backfill === "true") params.backfill = true;
  else if (params.backfill === "false") params.backfill = false;
  return params;
}

/** The typed schedule of validated scheduleParams. */
export function toSchedule(params: Readonly<Record<string, unknown>>): Schedule {
  const frequency = params.frequency as Frequency;
  return {
    startTime: params.startTime as number,
    frequency,
    ...(typeof params.interval === "number" ? { interval: params.interval } : {}),
    ...(typeof params.backfill === "boolean" ? { backfill: params.backfill } : {}),
  };
}

/** Milliseconds between fire times; undefined for `once`. */
export function stepMs(schedule: Schedule): number | undefined {
  if (schedule.frequency === "once") return undefined;
  return unitMs[schedule.frequency] * Math.max(1, schedule.interval ?? 1);
}

/** The first fire time strictly after `t` (ms), or undefined when the schedule never fires again. */
export function fireAfter(schedule: Schedule, t: number): number | undefined {
  const start = schedule.startTime * 1000;
  if (t < start) return start;
  const step = stepMs(schedule);
  if (step === undefined) return undefined;
  return start + (Math.floor((t - start) / step) + 1) * step;
}

export function readsFromEpoch(schedule: Schedule): boolean {
  return schedule.frequency === "once" || schedule.backfill !== false;
}

/** The window after `cursor` (null: no window yet), whether due or not; undefined when none is left. */
export function nextWindow(schedule: Schedule, cursor: number | null): Window | undefined {
  const first = cursor === null;
  const start = cursor ?? (readsFromEpoch(schedule) ? 0 : schedule.startTime * 1000);
  const end = fireAfter(schedule, start);
  if (end === undefined) return undefined;
  return { start, end, backfill: first && start === 0 };
}

/** The next window if it is due at `now`. */
export function dueWindow(schedule: Schedule, cursor: number | null, now: number): Window | undefined {
  const window = nextWindow(schedule, cursor);
  return window !== undefined && window.end <= now ? window : undefined;
}

/** Every window due at `now`, in order, at most `limit` (for display and tests; the runner takes one at a time). */
export function dueWindows(schedule: Schedule, cursor: number | null, now: number, limit = 1000): Window[] {
  const windows: Window[] = [];
  let at = cursor;
  while (windows.length < limit) {
    const window = dueWindow(schedule, at, now);
    if (window === undefined) break;
    windows.push(window);
    at = window.end;
  }
  return windows;
}

/** When the next run is scheduled (epoch ms), or undefined when the schedule is exhausted. */
export function nextRunAt(schedule: Schedule, cursor: number | null): number | undefined {
  return nextWindow(schedule, cursor)?.end;
}
