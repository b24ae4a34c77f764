/**
 * A run's `metrics` and `activities` as Adobe's monitoring API shows them (spec §1.9), assembled
 * from what the executor measured. Pure: the executor measures, this shapes.
 *
 * Inlet's additions (documented in docs/dataflows.md): `metrics.extensions` carries the engine's
 * stopReason, pages, requests and retries, the attempt number and the window; `copyActivity`
 * carries the same engine figures in its `extensions`; `promotionActivity.statusSummary` carries
 * `sampleErrors` (at most 10: record index, code, reason).
 */
import type { PageCheckpoint } from "../engine/index.ts";
import type { Window } from "./schedule.ts";

/**
 * Where a resumable run's batch stands: the engine checkpoint after the last page whose records
 * are all staged durably, and the run's figures up to it (they add up across attempts).
 */
export interface RunCheckpoint {
  readonly page: PageCheckpoint;
  readonly records: number;
  readonly pages: number;
  readonly bytes: number;
  readonly requests: number;
  readonly retries: number;
  readonly written: number;
  readonly mappingFailures: number;
  readonly schemaFailures: number;
}

/** Error codes in Adobe's `<COMPONENT>-<number>-<httpish>` pattern (spec §1.9). */
export const runErrorCodes = {
  /** The source API or the engine failed (HTTP, auth, pagination, extraction), or the connection is unusable. */
  connector: "CONNECTOR-2001-500",
  /** A record could not be mapped, or the mapping set no longer fits the dataset. */
  mapping: "MAPPER-3700-400",
  /** A mapped record does not match the dataset schema. */
  schema: "INGEST-1212-400",
  /** The flow was deleted before the run started. */
  cancelled: "FLOW-1430-400",
  /** Inlet itself failed (a bug, or the data directory is not writable). */
  internal: "FLOW-1102-500",
} as const;

export interface RunError {
  readonly code: string;
  readonly message: string;
}

export interface SampledError {
  readonly recordIndex: number;
  readonly code: string;
  readonly message: string;
}

export interface ReadFigures {
  readonly records: number;
  readonly bytes: number;
  readonly pages: number;
  readonly requests: number;
  readonly retries: number;
  readonly stopReason: string | undefined;
}

export type RunStatus = "pending" | "inProgress" | "success" | "failed";

export interface RunFigures {
  readonly status: RunStatus;
  /** The latest durable checkpoint of this attempt's batch (heartbeats store it on the run). */
  readonly checkpoint?: RunCheckpoint | undefined;
  /** The checkpoint this attempt resumed from (a takeover), shown as `extensions.resumedFrom`. */
  readonly resumedFrom?: RunCheckpoint | undefined;
  readonly window: Window;
  readonly attempt: number;
  readonly sourceConnectionId: string;
  readonly targetConnectionId: string;
  readonly batchId: string;
  /** True when the batch was committed (the run succeeded): only then does targetInfo name it. */
  readonly committed: boolean;
  /** Epoch ms; undefined before the run started. */
  readonly startedAt: number | undefined;
  /** When the read ended (copy activity), epoch ms. */
  readonly readEndedAt: number | undefined;
  readonly completedAt: number | undefined;
  readonly read: ReadFigures;
  readonly written: number;
  readonly mappingFailures: number;
  readonly schemaFailures: number;
  readonly outputBytes: number;
  readonly outputFiles: number;
  readonly errors: readonly RunError[];
  readonly samples: readonly SampledError[];
  /** Where the failed records are, relative to the data directory; only with errorDiagnosticsEnabled. */
  readonly failedRecordsFile?: string | undefined;
}

export interface IngestionVerdict {
  readonly ok: boolean;
  /** Why the run fails, or what partial ingestion it accepted; undefined when nothing failed. */
  readonly message: string | undefined;
}

/**
 * Partial ingestion (spec §6): with `partialIngestionPercent` set, a run fails when the failed
 * share exceeds it; without it, any failed record fails the run.
 */
export function ingestionVerdict(
  input: number,
  failed: number,
  partialIngestionPercent: number | undefined,
): IngestionVerdict {
  if (failed === 0) return { ok: true, message: undefined };
  const percent = input === 0 ? 100 : (failed / input) * 100;
  const share = `${failed} of ${input} records (${formatPercent(percent)}%) failed`;
  if (partialIngestionPercent === undefined) {
    return {
      ok: false,
      message: `${share}; the flow sets no partialIngestionPercent, so any failed record fails the run.`,
    };
  }
  if (percent > partialIngestionPercent) {
    return { ok: false, message: `${share}, more than the partialIngestionPercent of ${partialIngestionPercent}%.` };
  }
  return { ok: true, message: `${share}, within the partialIngestionPercent of ${partialIngestionPercent}%.` };
}

function formatPercent(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** The per-code error counts of the promotion activity (`statusSummary.extensions.errors`). */
function recordErrors(figures: RunFigures): Array<{ code: string; recordCount: number; message: string }> {
  const errors: Array<{ code: string; recordCount: number; message: string }> = [];
  if (figures.mappingFailures > 0) {
    errors.push({
      code: runErrorCodes.mapping,
      recordCount: figures.mappingFailures,
      message: `${figures.mappingFailures} record(s) could not be mapped.`,
    });
  }
  if (figures.schemaFailures > 0) {
    errors.push({
      code: runErrorCodes.schema,
      recordCount: figures.schemaFailures,
      message: `${figures.schemaFailures} record(s) do not match the dataset schema.`,
    });
  }
  return errors;
}

/** The copy (read) activity succeeded once the read ended; a run that ended without that failed in it. */
function copyStatus(figures: RunFigures): RunStatus {
  return figures.readEndedAt !== undefined ? "success" : figures.status;
}

export function runMetrics(figures: RunFigures): {
  metrics: Record<string, unknown>;
  activities: Record<string, unknown>[];
} {
  const failed = figures.mappingFailures + figures.schemaFailures;
  const durationSummary = {
    ...(figures.startedAt === undefined ? {} : { startedAtUTC: figures.startedAt }),
    ...(figures.completedAt === undefined ? {} : { completedAtUTC: figures.completedAt }),
  };
  const engine = {
    stopReason: figures.read.stopReason ?? null,
    pages: figures.read.pages,
    requests: figures.read.requests,
    retries: figures.read.retries,
  };
  const recordSummary = {
    inputRecordCount: figures.read.records,
    outputRecordCount: figures.written,
    failedRecordCount: failed,
  };
  const metrics = {
    durationSummary,
    sizeSummary: { inputBytes: figures.read.bytes, outputBytes: figures.outputBytes },
    recordSummary,
    fileSummary: { inputFileCount: 0, outputFileCount: figures.outputFiles },
    statusSummary: { status: figures.status, errors: [...figures.errors] },
    extensions: {
      ...engine,
      attempt: figures.attempt,
      windowStart: figures.window.start,
      windowEnd: figures.window.end,
      backfill: figures.window.backfill,
      ...(figures.resumedFrom
        ? { resumedFrom: { ...figures.resumedFrom.page, records: figures.resumedFrom.records } }
        : {}),
    },
  };
  const updatedAtUTC = figures.completedAt ?? figures.readEndedAt ?? figures.startedAt;
  const copyState = copyStatus(figures);
  const copyActivity = {
    id: "copyActivity",
    name: "Copy Activity",
    ...(updatedAtUTC === undefined ? {} : { updatedAtUTC }),
    durationSummary: {
      ...(figures.startedAt === undefined ? {} : { startedAtUTC: figures.startedAt }),
      ...(figures.readEndedAt === undefined ? {} : { completedAtUTC: figures.readEndedAt }),
      extensions: { windowStart: figures.window.start, windowEnd: figures.window.end },
    },
    sizeSummary: { inputBytes: figures.read.bytes, outputBytes: figures.read.bytes },
    recordSummary: { inputRecordCount: figures.read.records, outputRecordCount: figures.read.records },
    statusSummary: {
      status: copyState,
      errors: copyState === "failed" ? [...figures.errors] : [],
    },
    sourceInfo: [{ id: figures.sourceConnectionId, type: "SourceConnection" }],
    extensions: engine,
  };
  const promotionErrors = recordErrors(figures);
  const promotionActivity = {
    id: "promotionActivity",
    name: "Promotion Activity",
    ...(updatedAtUTC === undefined ? {} : { updatedAtUTC }),
    durationSummary: {
      ...(figures.readEndedAt === undefined ? {} : { startedAtUTC: figures.readEndedAt }),
      ...(figures.completedAt === undefined ? {} : { completedAtUTC: figures.completedAt }),
    },
    sizeSummary: { inputBytes: figures.read.bytes, outputBytes: figures.outputBytes },
    recordSummary,
    statusSummary: {
      status: figures.status,
      errors: figures.errors.filter((e) => e.code !== runErrorCodes.connector),
      sampleErrors: [...figures.samples],
      ...(promotionErrors.length === 0
        ? {}
        : {
            extensions: {
              type: "one-time",
              errors: promotionErrors,
              ...(figures.failedRecordsFile === undefined
                ? {}
                : { manifest: { failedRecords: figures.failedRecordsFile } }),
            },
          }),
    },
    targetInfo: [
      {
        id: figures.targetConnectionId,
        type: "TargetConnection",
        reference: { type: "Batch", ids: figures.committed ? [figures.batchId] : [] },
      },
    ],
  };
  return { metrics, activities: [copyActivity, promotionActivity] };
}

/** Zero figures for a run not started yet. */
export const noRead: ReadFigures = { records: 0, bytes: 0, pages: 0, requests: 0, retries: 0, stopReason: undefined };
