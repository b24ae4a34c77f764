import { describe, expect, it } from "vitest";
import { EngineError } from "./errors.ts";
import { renderWindow } from "./windows.ts";

const window = { start: new Date("2024-01-02T03:04:05.678Z"), end: new Date("2024-01-03T00:00:00Z"), backfill: false };
const advance = {
  type: "ADVANCE",
  paramFormat: "yyyy-MM-ddTHH:mm:ssK",
  incremental: "type:user updated > {START_TIME} updated < {END_TIME}",
  backfill: "type:user updated < {END_TIME}",
};

describe("renderWindow", () => {
  it("adds the standard start and end params in their .NET formats", () => {
    const values = renderWindow(
      {
        scheduleStartParamName: "since_last_changed",
        scheduleEndParamName: "before_last_changed",
        scheduleStartParamFormat: "yyyy-MM-ddTHH:mm:ss:fffffffK",
        scheduleEndParamFormat: "yyyy-MM-ddTHH:mm:ssZ",
      },
      window,
    );
    expect(values.queryParams).toEqual({
      since_last_changed: "2024-01-02T03:04:05:6780000Z",
      before_last_changed: "2024-01-03T00:00:00Z",
    });
  });

  it("defaults a missing format to ISO seconds with Z", () => {
    const values = renderWindow({ scheduleStartParamName: "from", scheduleEndParamName: "to" }, window);
    expect(values.queryParams).toEqual({ from: "2024-01-02T03:04:05Z", to: "2024-01-03T00:00:00Z" });
  });

  it("renders the incremental expression into SCHEDULE_QUERY", () => {
    const values = renderWindow(advance, window);
    expect(values.queryParams).toEqual({});
    expect(values.placeholders.SCHEDULE_QUERY).toBe(
      "type:user updated > 2024-01-02T03:04:05Z updated < 2024-01-03T00:00:00Z",
    );
  });

  it("uses the backfill expression for a backfill window, from the Unix epoch unless a start is given", () => {
    const values = renderWindow(advance, { end: window.end, backfill: true });
    expect(values.placeholders.SCHEDULE_QUERY).toBe("type:user updated < 2024-01-03T00:00:00Z");
    expect(values.placeholders.START_TIME).toBe("1970-01-01T00:00:00Z");
    const from = renderWindow({ ...advance, backfill: "since {START_TIME}" }, { ...window, backfill: true });
    expect(from.placeholders.SCHEDULE_QUERY).toBe("since 2024-01-02T03:04:05Z");
  });

  it("starts a standard backfill window at the epoch too", () => {
    const values = renderWindow(
      { scheduleStartParamName: "from", scheduleEndParamName: "to" },
      { end: window.end, backfill: true },
    );
    expect(values.queryParams).toEqual({ from: "1970-01-01T00:00:00Z", to: "2024-01-03T00:00:00Z" });
  });

  it("renders paramFormat with fractions and offsets", () => {
    const values = renderWindow({ ...advance, paramFormat: "yyyy-MM-dd'T'HH:mm:ss.fffzzz" }, window);
    expect(values.placeholders.START_TIME).toBe("2024-01-02T03:04:05.678+00:00");
  });

  it("leaves other braces in an expression alone", () => {
    const values = renderWindow({ ...advance, incremental: "{a} > {START_TIME}" }, window);
    expect(values.placeholders.SCHEDULE_QUERY).toBe("{a} > 2024-01-02T03:04:05Z");
  });

  it.each([
    ["a non-object", "yes", /must be a JSON object/],
    ["an array", [], /must be a JSON object/],
    ["a missing start name", { scheduleEndParamName: "to" }, /scheduleStartParamName is required/],
    ["a blank end name", { scheduleStartParamName: "from", scheduleEndParamName: " " }, /scheduleEndParamName/],
    ["equal names", { scheduleStartParamName: "t", scheduleEndParamName: "t" }, /both "t"/],
    [
      "a numeric format",
      { scheduleStartParamName: "a", scheduleEndParamName: "b", scheduleStartParamFormat: 5 },
      /string/,
    ],
    ["an unknown type", { type: "CRON" }, /"CRON" is unknown/],
    ["ADVANCE without incremental", { type: "ADVANCE", backfill: "x" }, /incremental is required/],
    ["a bad format", { ...advance, paramFormat: "yyyy 'unterminated" }, /Unterminated/],
  ])("rejects %s with a spec error", (_what, params, message) => {
    let caught: unknown;
    try {
      renderWindow(params, window);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EngineError);
    expect((caught as EngineError).kind).toBe("spec");
    expect((caught as Error).message).toMatch(message);
  });

  it("rejects an incremental window without a start", () => {
    expect(() => renderWindow(advance, { end: window.end })).toThrow(/needs a start/);
  });

  it("rejects a window that starts after it ends", () => {
    expect(() => renderWindow(advance, { start: window.end, end: window.start, backfill: false })).toThrow(
      /starts after it ends/,
    );
  });
});
