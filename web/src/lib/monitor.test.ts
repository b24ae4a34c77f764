import { describe, expect, it } from "vitest";
import { frame, locate, locatePointers, offsetOf } from "./json-locate.ts";
import { describeStop, placeProblems } from "./playground.ts";
import { chartModel, chronological, formatDuration, niceMax, runRow } from "./runs.ts";
import { describeSchedule, scheduleParams, scheduleProblems } from "./schedule.ts";
import {
  activeCredentials,
  emptySession,
  type KeyValueStore,
  loadSession,
  saveSession,
  selectSandbox,
  signIn,
  signOut,
  switchOrg,
} from "./session.ts";

function run(id: string, startedAt: number, input: number, failed: number, state = "success") {
  return {
    id,
    state,
    createdAt: startedAt - 10,
    execution: { trigger: "schedule", window: { start: 0, end: startedAt } },
    metrics: {
      durationSummary: { startedAtUTC: startedAt, completedAtUTC: startedAt + 1500 },
      recordSummary: { inputRecordCount: input, outputRecordCount: input - failed, failedRecordCount: failed },
      sizeSummary: { inputBytes: 2048, outputBytes: 1024 },
      statusSummary: {
        status: state,
        errors: failed ? [{ code: "MAPPER-3700-400", message: "1 record(s) could not be mapped." }] : [],
      },
      extensions: { stopReason: "short-page", pages: 3, requests: 3, retries: 0, windowStart: 0, windowEnd: startedAt },
    },
    activities: [
      { id: "copyActivity" },
      {
        id: "promotionActivity",
        statusSummary: {
          status: state,
          errors: [],
          sampleErrors: failed
            ? [
                {
                  recordIndex: 4,
                  code: "MAPPER-3700-400",
                  message: 'to_integer("x") at destination age: not an integer',
                },
              ]
            : [],
          extensions: failed ? { manifest: { failedRecords: "failed/run.jsonl" } } : undefined,
        },
        targetInfo: [{ id: "t", type: "TargetConnection", reference: { type: "Batch", ids: ["01BATCH"] } }],
      },
    ],
  };
}

describe("runs as the monitor shows them", () => {
  it("reads a run's metrics, errors, sample failed records and batch", () => {
    const row = runRow(run("r1", 1_700_000_000_000, 230, 1, "failed"));
    expect(row).toMatchObject({
      id: "r1",
      state: "failed",
      input: 230,
      output: 229,
      failed: 1,
      durationMs: 1500,
      pages: 3,
      stopReason: "short-page",
      trigger: "schedule",
      batchIds: ["01BATCH"],
      failedRecordsFile: "failed/run.jsonl",
      windowStart: 0,
    });
    expect(row.errors).toEqual([{ code: "MAPPER-3700-400", message: "1 record(s) could not be mapped." }]);
    expect(row.samples[0]).toMatchObject({ recordIndex: 4, code: "MAPPER-3700-400" });
    expect(runRow({ id: "p", state: "pending" })).toMatchObject({
      state: "pending",
      input: 0,
      durationMs: undefined,
      errors: [],
    });
  });

  it("draws records in and failed per run on a round axis, oldest first", () => {
    const rows = [run("b", 2000, 230, 0), run("a", 1000, 100, 20)].map(runRow);
    expect(chronological(rows).map((r) => r.id)).toEqual(["a", "b"]);
    const model = chartModel(rows, { width: 400, height: 200 });
    expect(model.max).toBe(240);
    expect(model.ticks.map((t) => t.value)).toEqual([0, 60, 120, 180, 240]);
    expect(model.groups.map((g) => [g.run.id, g.label])).toEqual([
      ["a", "#1"],
      ["b", "#2"],
    ]);
    const bar = (id: string, series: string) => model.bars.find((b) => b.runId === id && b.series === series);
    expect(bar("b", "in")?.value).toBe(230);
    expect(bar("b", "in")?.height).toBeCloseTo((230 / 240) * model.plot.height);
    expect(bar("a", "failed")?.value).toBe(20);
    expect(bar("b", "failed")?.height).toBe(0);
    // every bar stands on the axis
    for (const b of model.bars) expect(b.y + b.height).toBeCloseTo(model.plot.top + model.plot.height);
    expect(chartModel([]).groups).toEqual([]);
  });

  it("rounds axes and durations for people", () => {
    expect([0, 3, 7, 95, 230, 1001, 123_456].map(niceMax)).toEqual([4, 4, 8, 100, 240, 1200, 160_000]);
    expect(formatDuration(88)).toBe("88 ms");
    expect(formatDuration(2500)).toBe("2.5 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(undefined)).toBe("—");
  });
});

describe("the schedule form", () => {
  it("sends startTime in epoch seconds and no interval or backfill for once", () => {
    const start = "2026-03-01T10:30";
    const seconds = Math.floor(new Date(start).getTime() / 1000);
    expect(scheduleParams({ frequency: "once", interval: "5", start, backfill: false })).toEqual({
      startTime: seconds,
      frequency: "once",
    });
    expect(scheduleParams({ frequency: "minute", interval: "15", start, backfill: false })).toEqual({
      startTime: seconds,
      frequency: "minute",
      interval: 15,
      backfill: false,
    });
  });

  it("follows the flow spec's rules: every minute needs at least 15, others at least 1", () => {
    const base = { start: "2026-03-01T10:30", backfill: true };
    expect(scheduleProblems({ ...base, frequency: "minute", interval: "10" })).toEqual([
      { field: "interval", message: "Every minute needs an interval of at least 15 (minutes)." },
    ]);
    expect(scheduleProblems({ ...base, frequency: "hour", interval: "0" })[0]?.field).toBe("interval");
    expect(scheduleProblems({ ...base, frequency: "day", interval: "1.5" })[0]?.message).toBe("Enter a whole number.");
    expect(scheduleProblems({ ...base, frequency: "once", interval: "" })).toEqual([]);
    expect(scheduleProblems({ ...base, start: "", frequency: "once", interval: "" })[0]?.field).toBe("start");
  });

  it("reads back as a sentence", () => {
    expect(describeSchedule({ startTime: 0, frequency: "hour", interval: 6, backfill: false })).toMatch(
      /^Every 6 hours from .*[^,]$/,
    );
    expect(describeSchedule({ startTime: 0, frequency: "day", interval: "1", backfill: "true" })).toMatch(
      /^Every day from .*, with backfill$/,
    );
    expect(describeSchedule({ startTime: 0, frequency: "once" })).toMatch(/^Once, at /);
  });
});

describe("lint problems at their fields", () => {
  const text =
    '{\n  "name": "x",\n  "sourceSpec": {\n    "attributes": {\n      "paginationParams": { "type": "OFFSETS" }\n    }\n  },\n  "list": [1, {"a/b": true}]\n}\n';
  const locations = locatePointers(text);

  it("knows the line and column of every pointer, keys escaped as RFC 6901 says", () => {
    expect(locations.get("")).toEqual({ line: 1, column: 1 });
    expect(locations.get("/name")).toEqual({ line: 2, column: 3 });
    expect(locations.get("/sourceSpec/attributes/paginationParams/type")).toEqual({ line: 5, column: 29 });
    expect(locations.get("/list/1/a~1b")).toEqual({ line: 8, column: 16 });
    expect(locatePointers("{ not json")).toEqual(new Map());
  });

  it("puts a missing field's problem at its nearest parent, with the lines around it", () => {
    expect(locate("/sourceSpec/attributes/contentPath", locations)).toEqual({
      line: 4,
      column: 5,
      exact: false,
      at: "/sourceSpec/attributes",
    });
    const placed = placeProblems(
      text,
      {
        valid: false,
        problems: [
          {
            pointer: "/sourceSpec/attributes/paginationParams/type",
            message: '"OFFSETS" is not a pagination type',
            severity: "error",
          },
          { pointer: "/name", message: "short", severity: "warning" },
        ],
      },
      locations,
    );
    expect(placed.map((p) => [p.location?.line, p.severity])).toEqual([
      [2, "warning"],
      [5, "error"],
    ]);
    expect(placed[1]?.frame.map((l) => l.line)).toEqual([4, 5, 6]);
    expect(frame(text, 1)).toEqual([
      { line: 1, text: "{" },
      { line: 2, text: '  "name": "x",' },
    ]);
    expect(text.slice(offsetOf(text, 5, 29), offsetOf(text, 5, 35))).toBe('"type"');
  });

  it("shows a JSON syntax error at its line", () => {
    const placed = placeProblems(
      "{\n  x\n}",
      { valid: false, problems: [], syntaxError: { line: 2, column: 3, message: "Expected property name" } },
      new Map(),
    );
    expect(placed).toEqual([
      expect.objectContaining({ severity: "error", location: expect.objectContaining({ line: 2, column: 3 }) }),
    ]);
  });

  it("explains why a test read stopped", () => {
    expect(describeStop("maximum-request", "maxPages", { maxPages: 2, maxRecords: 20 })).toMatch(
      /playground's limit of 2 page/,
    );
    expect(describeStop("short-page", undefined, { maxPages: 2, maxRecords: 20 })).toBe(
      "a page returned fewer records than the page size",
    );
  });
});

describe("the browser session", () => {
  function memory(): KeyValueStore & { data: Map<string, string> } {
    const data = new Map<string, string>();
    return {
      data,
      getItem: (k) => data.get(k) ?? null,
      setItem: (k, v) => void data.set(k, v),
      removeItem: (k) => void data.delete(k),
    };
  }
  const acme = { orgId: "ACME@AdobeOrg", accessToken: "t1", apiKey: "k1" };
  const other = { orgId: "OTHER@AdobeOrg", accessToken: "t2", apiKey: "k2" };

  it("keeps each org's credentials, the active org and its sandboxes, and forgets them on sign-out", () => {
    const store = memory();
    let session = signIn(emptySession, acme, "prod");
    session = selectSandbox(session, "Dev");
    session = signIn(session, other, "prod");
    saveSession(store, session);
    const loaded = loadSession(store);
    expect(activeCredentials(loaded)).toEqual(other);
    expect(loaded.sandboxes).toEqual({ "ACME@AdobeOrg": ["dev"] });
    const back = switchOrg(loaded, "ACME@AdobeOrg");
    expect(activeCredentials(back)).toEqual(acme);
    expect(back.sandbox).toBe("prod");
    expect(switchOrg(back, "NOBODY@AdobeOrg")).toBe(back);
    let out = signOut(back);
    expect(out.credentials).toEqual([other]);
    out = signOut(out);
    saveSession(store, out);
    expect(store.data.size).toBe(0);
  });

  it("ignores anything malformed in storage", () => {
    const store = memory();
    store.setItem("inlet.console.session", "{not json");
    expect(loadSession(store)).toEqual(emptySession);
    store.setItem("inlet.console.session", JSON.stringify({ credentials: [{ orgId: 1 }], orgId: "x" }));
    expect(loadSession(store)).toEqual(emptySession);
  });
});
