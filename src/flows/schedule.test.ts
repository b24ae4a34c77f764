import { describe, expect, it } from "vitest";
import {
  coerceScheduleParams,
  dueWindow,
  dueWindows,
  fireAfter,
  nextRunAt,
  nextWindow,
  type Schedule,
  stepMs,
  toSchedule,
} from "./schedule.ts";

const start = 1_700_000_000; // 2023-11-14T22:13:20Z, epoch seconds
const startMs = start * 1000;
const minute = 60_000;
const hour = 3_600_000;

describe("coerceScheduleParams", () => {
  it("turns numeric strings and boolean words into numbers and booleans", () => {
    expect(
      coerceScheduleParams({ startTime: "1632809759", frequency: "minute", interval: "15", backfill: "true" }),
    ).toEqual({ startTime: 1632809759, frequency: "minute", interval: 15, backfill: true });
    expect(coerceScheduleParams({ backfill: "false" })).toEqual({ backfill: false });
  });

  it("leaves anything else for the validator to refuse", () => {
    expect(coerceScheduleParams({ startTime: "soon", interval: "1.5", backfill: "yes" })).toEqual({
      startTime: "soon",
      interval: "1.5",
      backfill: "yes",
    });
    expect(coerceScheduleParams("x")).toBe("x");
  });
});

describe("fire times", () => {
  const every15: Schedule = { startTime: start, frequency: "minute", interval: 15 };

  it("steps by interval × frequency", () => {
    expect(stepMs(every15)).toBe(15 * minute);
    expect(stepMs({ startTime: start, frequency: "hour", interval: 2 })).toBe(2 * hour);
    expect(stepMs({ startTime: start, frequency: "day", interval: 1 })).toBe(24 * hour);
    expect(stepMs({ startTime: start, frequency: "week", interval: 1 })).toBe(7 * 24 * hour);
    expect(stepMs({ startTime: start, frequency: "once" })).toBeUndefined();
  });

  it("gives the first fire time strictly after t", () => {
    expect(fireAfter(every15, 0)).toBe(startMs);
    expect(fireAfter(every15, startMs)).toBe(startMs + 15 * minute);
    expect(fireAfter(every15, startMs + 15 * minute - 1)).toBe(startMs + 15 * minute);
    expect(fireAfter(every15, startMs + 15 * minute)).toBe(startMs + 30 * minute);
    expect(fireAfter({ startTime: start, frequency: "once" }, startMs)).toBeUndefined();
  });

  it("is plain UTC arithmetic across a DST change (days are 24 h)", () => {
    const daily: Schedule = { startTime: Date.UTC(2024, 2, 30, 12) / 1000, frequency: "day", interval: 1 };
    expect(new Date(fireAfter(daily, Date.UTC(2024, 2, 31, 13))!).toISOString()).toBe("2024-04-01T12:00:00.000Z");
  });
});

describe("windows", () => {
  it("starts a backfilling flow at the epoch, then tiles [previous end, fire time)", () => {
    const schedule: Schedule = { startTime: start, frequency: "hour", interval: 1, backfill: true };
    const windows = dueWindows(schedule, null, startMs + 2 * hour + 5 * minute);
    expect(windows).toEqual([
      { start: 0, end: startMs, backfill: true },
      { start: startMs, end: startMs + hour, backfill: false },
      { start: startMs + hour, end: startMs + 2 * hour, backfill: false },
    ]);
  });

  it("defaults backfill to true", () => {
    expect(nextWindow({ startTime: start, frequency: "hour", interval: 1 }, null)).toEqual({
      start: 0,
      end: startMs,
      backfill: true,
    });
  });

  it("starts a non-backfilling flow at startTime; its first run is one step later", () => {
    const schedule: Schedule = { startTime: start, frequency: "minute", interval: 15, backfill: false };
    expect(dueWindow(schedule, null, startMs)).toBeUndefined();
    expect(dueWindow(schedule, null, startMs + 15 * minute)).toEqual({
      start: startMs,
      end: startMs + 15 * minute,
      backfill: false,
    });
  });

  it("catches up after downtime from the cursor: none skipped, none repeated", () => {
    const schedule: Schedule = { startTime: start, frequency: "minute", interval: 15, backfill: false };
    const before = dueWindows(schedule, null, startMs + 30 * minute);
    expect(before).toHaveLength(2);
    // The process was down for an hour after the second window was taken.
    const cursor = before[1]!.end;
    const after = dueWindows(schedule, cursor, startMs + 95 * minute);
    expect(after.map((w) => [(w.start - startMs) / minute, (w.end - startMs) / minute])).toEqual([
      [30, 45],
      [45, 60],
      [60, 75],
      [75, 90],
    ]);
    const all = [...before, ...after];
    for (let i = 1; i < all.length; i++) expect(all[i]!.start).toBe(all[i - 1]!.end);
  });

  it("is not due before its end", () => {
    const schedule: Schedule = { startTime: start, frequency: "hour", interval: 1 };
    expect(dueWindow(schedule, startMs, startMs + hour - 1)).toBeUndefined();
    expect(dueWindow(schedule, startMs, startMs + hour)).toBeDefined();
    expect(nextRunAt(schedule, startMs)).toBe(startMs + hour);
  });

  it("runs a once flow a single time, at startTime, from the epoch", () => {
    const schedule: Schedule = { startTime: start, frequency: "once" };
    expect(dueWindow(schedule, null, startMs - 1)).toBeUndefined();
    expect(dueWindows(schedule, null, startMs + 10 * hour)).toEqual([{ start: 0, end: startMs, backfill: true }]);
    expect(nextWindow(schedule, startMs)).toBeUndefined();
    expect(nextRunAt(schedule, startMs)).toBeUndefined();
  });

  it("continues from the cursor onto a changed grid without a gap", () => {
    const hourly: Schedule = { startTime: start, frequency: "hour", interval: 1, backfill: false };
    const cursor = startMs + 2 * hour;
    // PATCHed to every 15 minutes starting half an hour into the current hour.
    const changed: Schedule = { startTime: start + 1800, frequency: "minute", interval: 15 };
    expect(nextWindow(hourly, cursor)).toEqual({ start: cursor, end: cursor + hour, backfill: false });
    expect(nextWindow(changed, cursor)).toEqual({ start: cursor, end: cursor + 15 * minute, backfill: false });
    // A start time moved past the cursor: the next window reaches it exactly.
    const later: Schedule = { startTime: start + 10 * 3600, frequency: "hour", interval: 1 };
    expect(nextWindow(later, cursor)).toEqual({ start: cursor, end: startMs + 10 * hour, backfill: false });
  });

  it("types validated params", () => {
    expect(toSchedule({ startTime: 5, frequency: "minute", interval: 15, backfill: false })).toEqual({
      startTime: 5,
      frequency: "minute",
      interval: 15,
      backfill: false,
    });
    expect(toSchedule({ startTime: 5, frequency: "once" })).toEqual({ startTime: 5, frequency: "once" });
  });
});
