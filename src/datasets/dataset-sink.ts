/**
 * Port for where a run's records land. A run opens one batch; each record is either written
 * (after validation against the dataset's JSON Schema) or failed with a reason. Nothing is visible
 * to readers until `commit`; `abort` leaves nothing behind. Committing a batch id that already
 * exists replaces it, so a retried window's records are in the dataset exactly once.
 *
 * Resumable batches (optional; a sink that ignores the flags below stays valid): a writer begun with
 * `resumable: true` may offer `checkpoint(mark)`, which the caller invokes only where everything
 * written so far forms a consistent prefix (for a run: after a page whose records were all
 * written or failed). At such a call the sink may make the staged records durable together with
 * `mark` (an opaque JSON value); `durableMark()` then answers the latest mark made durable. A later
 * `beginBatch({ ..., resumable: true, resume: true })` with the same batch id (the first writer's
 * process died) keeps exactly the records staged up to the last durable mark, drops anything after
 * it, and reports it as `resumed` (its counts included): the caller continues from that mark. With
 * no durable mark it keeps nothing and `resumed` is undefined: the caller starts over.
 */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A schema's one real type: `["string", "null"]` is a nullable string; a union of several has none. */
export function singleType(type: unknown): string | undefined {
  if (typeof type === "string") return type;
  if (Array.isArray(type)) {
    const real = type.filter((t) => t !== "null");
    return real.length === 1 && typeof real[0] === "string" ? real[0] : undefined;
  }
  return undefined;
}

export interface DatasetDefinition {
  readonly id: string;
  readonly schema: JsonSchema;
  /** Which sink holds the dataset when a process has several (src/datasets/postgres/sink-router.ts). */
  readonly sink?: "parquet" | "postgres" | undefined;
}

export interface BeginBatch extends DatasetDefinition {
  readonly batchId: string;
  /** Stage durably at `checkpoint` calls, so a writer after this one's death can resume (see above). */
  readonly resumable?: boolean | undefined;
  /** Adopt what an earlier resumable writer of this batch id staged up to its last durable mark. */
  readonly resume?: boolean | undefined;
}

/** What a resumed writer took over: the last durable mark and the counts staged up to it. */
export interface ResumedBatch extends BatchStats {
  readonly mark: unknown;
}

export interface BatchStats {
  readonly writtenRecordCount: number;
  readonly failedRecordCount: number;
}

export interface BatchResult extends BatchStats {
  readonly datasetId: string;
  readonly batchId: string;
  readonly outputBytes: number;
  /** Data files of the committed batch, absolute paths. */
  readonly files: readonly string[];
  /** `failed-records.jsonl` beside the batch, when any record failed. */
  readonly failedRecordsFile: string | undefined;
  /** The first few failure reasons (at most `sampleErrorLimit`). */
  readonly sampleErrors: readonly SampleError[];
}

export interface SampleError {
  readonly recordIndex: number;
  readonly reason: string;
}

export interface BatchWriter {
  /**
   * Validates and buffers one record; a record failing the schema is counted as failed. A returned
   * promise must be awaited before the next call: it applies backpressure. An implementation may
   * return `undefined` instead, and only when the record passed validation and was buffered with
   * nothing to wait for: that spares the caller a promise, a microtask and a stats() call per record
   * (the Parquet sink does; `await` works on either form, so implementations that always return a
   * promise stay valid). The record must not be mutated after the call.
   */
  write(record: unknown): Promise<void> | undefined;
  /**
   * Optional fast path for a record the identity mapping would carry over, given as its JSON text
   * (one line, strictly valid JSON): `false` when the sink cannot vouch without parsing that the
   * identity-mapped row would pass the schema unchanged (nothing is written; the caller parses,
   * maps and calls `write`); otherwise the record is written as `write` would, with its result.
   */
  writeJson?(json: Buffer): false | Promise<void> | undefined;
  /** Records a record that failed before reaching the sink (e.g. mapping), with its reason. */
  fail(record: unknown, reason: string): Promise<void>;
  stats(): BatchStats;
  commit(): Promise<BatchResult>;
  abort(): Promise<void>;
  /** Resumable writers only: a consistent point; the sink may make the data so far durable with `mark`. */
  checkpoint?(mark: unknown): Promise<void>;
  /** Resumable writers only: the latest mark made durable (by this writer or the one it resumed). */
  durableMark?(): unknown;
  /** Set when this writer resumed an earlier writer's staged records. */
  readonly resumed?: ResumedBatch | undefined;
}

export interface DatasetSink {
  /** Makes a dataset known (its schema stored) before any batch, so queries see an empty view. */
  registerDataset(dataset: DatasetDefinition): Promise<void>;
  beginBatch(batch: BeginBatch): Promise<BatchWriter>;
  /** Removes a dataset's schema and every committed batch (the Catalog dataset was deleted). */
  removeDataset(id: string): Promise<void>;
  close(): Promise<void>;
}

export const sampleErrorLimit = 10;

export const datasetErrorCodes = ["datasetIdInvalid", "schemaUnsupported", "batchClosed"] as const;
export type DatasetErrorCode = (typeof datasetErrorCodes)[number];

export class DatasetError extends Error {
  override readonly name = "DatasetError";
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Dataset and batch ids become folder and view names: keep them to a safe alphabet. */
export function assertSafeId(value: string, what: string): void {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(value)) {
    throw new DatasetError("datasetIdInvalid", `${what} must be 1-128 letters, digits, "_" or "-"`);
  }
}
