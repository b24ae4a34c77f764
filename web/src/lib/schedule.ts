/**
 * The schedule of a dataflow (spec §1.8, the RestStorageToAEP flow spec's scheduleSpec): the form's
 * values, their checks, the `scheduleParams` sent, and how a schedule reads to people.
 */

export const frequencies = ["once", "minute", "hour", "day", "week"] as const;
export type Frequency = (typeof frequencies)[number];

export interface ScheduleForm {
  readonly frequency: Frequency;
  /** As typed; a whole number. */
  readonly interval: string;
  /** A `datetime-local` value (local time, minutes). */
  readonly start: string;
  readonly backfill: boolean;
}

export interface ScheduleParams {
  readonly startTime: number;
  readonly frequency: Frequency;
  readonly interval?: number;
  readonly backfill?: boolean;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A date as a `datetime-local` input value, in local time. */
export function toLocalInput(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function defaultSchedule(now: Date = new Date()): ScheduleForm {
  return { frequency: "once", interval: "1", start: toLocalInput(now), backfill: true };
}

export function minimumInterval(frequency: Frequency): number {
  return frequency === "minute" ? 15 : 1;
}

export interface ScheduleProblem {
  readonly field: "interval" | "start";
  readonly message: string;
}

export function scheduleProblems(form: ScheduleForm): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  if (Number.isNaN(new Date(form.start).getTime()) || form.start === "") {
    problems.push({ field: "start", message: "Enter a start date and time." });
  }
  if (form.frequency !== "once") {
    const min = minimumInterval(form.frequency);
    if (!/^\s*\d+\s*$/.test(form.interval)) problems.push({ field: "interval", message: "Enter a whole number." });
    else if (Number(form.interval) < min) {
      problems.push({
        field: "interval",
        message: `Every ${form.frequency} needs an interval of at least ${min}${form.frequency === "minute" ? " (minutes)" : ""}.`,
      });
    }
  }
  return problems;
}

/** The flow's scheduleParams: startTime in epoch seconds; no interval or backfill for `once`. */
export function scheduleParams(form: ScheduleForm): ScheduleParams {
  const startTime = Math.floor(new Date(form.start).getTime() / 1000);
  if (form.frequency === "once") return { startTime, frequency: "once" };
  return { startTime, frequency: form.frequency, interval: Number(form.interval), backfill: form.backfill };
}

const units: Record<Exclude<Frequency, "once">, [string, string]> = {
  minute: ["minute", "minutes"],
  hour: ["hour", "hours"],
  day: ["day", "days"],
  week: ["week", "weeks"],
};

export function formatTime(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return "—";
  return new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "Once, at …" or "Every 15 minutes from …, with backfill". */
export function describeSchedule(params: unknown): string {
  if (params === null || typeof params !== "object") return "No schedule";
  const p = params as Record<string, unknown>;
  const start = formatTime(Number(p.startTime) * 1000);
  const frequency = String(p.frequency ?? "");
  if (frequency === "once") return `Once, at ${start}`;
  const unit = units[frequency as Exclude<Frequency, "once">];
  if (!unit) return `${frequency} from ${start}`;
  const interval = Number(p.interval ?? 1);
  const every = interval === 1 ? `Every ${unit[0]}` : `Every ${interval} ${unit[1]}`;
  const backfill = p.backfill === false || p.backfill === "false" ? "" : ", with backfill";
  return `${every} from ${start}${backfill}`;
}
