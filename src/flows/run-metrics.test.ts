import { describe, expect, it } from "vitest";
import { ingestionVerdict, noRead, type RunFigures, runErrorCodes, runMetrics } from "./run-metrics.ts";

const base: RunFigures = {
  status: "success",
  window: { start: 1000, end: 2000, backfill: false },
  attempt: 1,
  sourceConnectionId: "src",
  targetConnectionId: "tgt",
  batchId: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
  committed: true,
  startedAt: 10,
  readEndedAt: 20,
  completedAt: 30,
  read: { records: 10, bytes: 500, pages: 2, requests: 2, retries: 1, stopReason: "short-page" },
  written: 8,
  mappingFailures: 1,
  schemaFailures: 1,
  outputBytes: 300,
  outputFiles: 1,
  errors: [],
  samples: [{ recordIndex: 4, code: runErrorCodes.mapping, message: "bad" }],
};

describe("ingestionVerdict", () => {
  it("accepts a run without failures", () => {
    expect(ingestionVerdict(10, 0, undefined)).toEqual({ ok: true, message: undefined });
  });

  it("fails on any failure without a threshold", () => {
    expect(ingestionVerdict(10, 1, undefined)).toEqual({
      ok: false,
      message:
        "1 of 10 records (10%) failed; the flow sets no partialIngestionPercent, so any failed record fails the run.",
    });
  });

  it("compares the failed share with partialIngestionPercent (strictly above fails)", () => {
    expect(ingestionVerdict(10, 1, 10).ok).toBe(true);
    expect(ingestionVerdict(10, 2, 10)).toEqual({
      ok: false,
      message: "2 of 10 records (20%) failed, more than the partialIngestionPercent of 10%.",
    });
    expect(ingestionVerdict(3, 1, 50).message).toBe(
      "1 of 3 records (33.33%) failed, within the partialIngestionPercent of 50%.",
    );
  });
});

describe("runMetrics", () => {
  it("assembles Adobe's summaries, activities and Inlet's extensions", () => {
    const { metrics, activities } = runMetrics(base);
    expect(metrics).toEqual({
      durationSummary: { startedAtUTC: 10, completedAtUTC: 30 },
      sizeSummary: { inputBytes: 500, outputBytes: 300 },
      recordSummary: { inputRecordCount: 10, outputRecordCount: 8, failedRecordCount: 2 },
      fileSummary: { inputFileCount: 0, outputFileCount: 1 },
      statusSummary: { status: "success", errors: [] },
      extensions: {
        stopReason: "short-page",
        pages: 2,
        requests: 2,
        retries: 1,
        attempt: 1,
        windowStart: 1000,
        windowEnd: 2000,
        backfill: false,
      },
    });
    const [copy, promotion] = activities;
    expect(copy).toMatchObject({
      id: "copyActivity",
      durationSummary: { startedAtUTC: 10, completedAtUTC: 20, extensions: { windowStart: 1000, windowEnd: 2000 } },
      recordSummary: { inputRecordCount: 10, outputRecordCount: 10 },
      statusSummary: { status: "success", errors: [] },
      sourceInfo: [{ id: "src", type: "SourceConnection" }],
    });
    expect(promotion).toMatchObject({
      id: "promotionActivity",
      durationSummary: { startedAtUTC: 20, completedAtUTC: 30 },
      recordSummary: { inputRecordCount: 10, outputRecordCount: 8, failedRecordCount: 2 },
      statusSummary: {
        status: "success",
        sampleErrors: [{ recordIndex: 4, code: "MAPPER-3700-400", message: "bad" }],
        extensions: {
          type: "one-time",
          errors: [
            { code: "MAPPER-3700-400", recordCount: 1, message: "1 record(s) could not be mapped." },
            { code: "INGEST-1212-400", recordCount: 1, message: "1 record(s) do not match the dataset schema." },
          ],
        },
      },
      targetInfo: [{ id: "tgt", type: "TargetConnection", reference: { type: "Batch", ids: [base.batchId] } }],
    });
  });

  it("names no batch and fails the copy when the read did not end", () => {
    const error = { code: runErrorCodes.connector, message: "HTTP 401" };
    const { metrics, activities } = runMetrics({
      ...base,
      status: "failed",
      committed: false,
      readEndedAt: undefined,
      read: { ...noRead, requests: 1, stopReason: "error" },
      written: 0,
      mappingFailures: 0,
      schemaFailures: 0,
      errors: [error],
      samples: [],
    });
    expect(metrics.statusSummary).toEqual({ status: "failed", errors: [error] });
    expect(activities[0]?.statusSummary).toEqual({ status: "failed", errors: [error] });
    expect(activities[1]?.targetInfo).toEqual([
      { id: "tgt", type: "TargetConnection", reference: { type: "Batch", ids: [] } },
    ]);
    expect(activities[1]?.statusSummary).not.toHaveProperty("extensions");
  });

  it("shows a pending run without times", () => {
    const { metrics } = runMetrics({
      ...base,
      status: "pending",
      startedAt: undefined,
      readEndedAt: undefined,
      completedAt: undefined,
    });
    expect(metrics.durationSummary).toEqual({});
    expect(metrics.statusSummary).toEqual({ status: "pending", errors: [] });
  });
});
