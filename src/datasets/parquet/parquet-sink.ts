import { randomUUID } from "node:crypto";
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  truncate,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  assertSafeId,
  type BatchResult,
  type BatchStats,
  type BatchWriter,
  type BeginBatch,
  type DatasetDefinition,
  DatasetError,
  type DatasetSink,
  type ResumedBatch,
  type SampleError,
  sampleErrorLimit,
} from "../dataset-sink.ts";
import { datasetLayout } from "../layout.ts";
import { compileRawRecordCheck, type RawRecordCheck } from "../raw-record-check.ts";
import { columnTypes, quoteLiteral, readJsonColumns } from "./column-types.ts";
import { compileRecordCheck, type RecordCheck } from "./schema-validator.ts";

/**
 * Records are validated, stringified and encoded straight into a reused 1 MiB buffer, which is
 * written to the batch's staging folder as JSONL. Every `partBytes` of JSONL the file is closed and
 * one DuckDB `COPY (SELECT … FROM read_json(…, records = true, columns = …)) TO part-N.parquet`
 * converts it while the next part is written: DuckDB runs on a native thread, so the conversion
 * overlaps the read instead of following it. At most one conversion per batch is in flight (the
 * next roll waits for it), so a slow conversion slows the read instead of piling up JSONL; a
 * converted part's JSONL is deleted at once. Commit converts the last part and renames the folder
 * into place, so readers still see a batch whole or not at all.
 *
 * Measured on the 2-core bench machine (200k records of ~750 B JSON, one STRUCT column, as
 * bench/flow.ts writes them; DuckDB figures from standalone scripts over the same records):
 * - Before (one `${JSON.stringify(r)}\n` string per record, joined every 4 MB and written as a
 *   string, one COPY of the whole batch at commit): the COPY alone took 0.44-0.77 s after the read
 *   and drove the process to 570-670 MB RSS (122,880-row groups, one thread per core).
 * - `records = true`: 76 ms instead of 143 ms per 50k-record part, same Parquet (same md5 of the
 *   rows); with the default `records = 'auto'` a COPY also had a ~30 ms fixed cost.
 * - Part size against DuckDB's RSS on top of the process, threads = 1, 10k-row groups: 3.7 MB parts
 *   +40 MB, 7.5 MB +60 MB, 15 MB +95 MB, 37 MB +135 MB, flat over 12-100 consecutive parts; per
 *   record 1.9, 1.8, 1.7 and 1.55 µs. threads = 2 was no faster on 2 cores and climbed to 400 MB;
 *   memory_limit, maximum_object_size and the allocator settings did not move these figures.
 * - Encoding into a reused buffer costs ~7 ms per 150 MB; `Buffer.from(string)` costs 40-180 ms
 *   for the same (a fresh allocation per chunk, page-faulted in each time).
 * - JSON.stringify is the sink's main cost on the JS thread (~1.4 µs per record, Node 20).
 *   Stringifying a page of rows as one array saved only ~10 % of it (290 vs 325 ms per 200k) and
 *   DuckDB reads arrays 20-40 % slower, so records stay one per line.
 * The DuckDB appender did 1.0M rec/s on 4 flat columns without validation, but STRUCT/LIST columns
 * need a JS value wrapper per nested field; JSONL handles any schema with one code path.
 */
/**
 * 4 MiB: whole-flow harness peaks over an engine-only ~180 MB were 218 / 242 / 262 / 282 MB at
 * 2 / 4 / 8 / 16 MiB parts, for 2.18 / 2.07 / 2.00 / 1.92 s of CPU per 200k records; 4 MiB keeps the
 * bench's flow process under 300 MB for +3.5 % CPU over 8 MiB (and ~36 files per 200k records).
 */
const defaultPartBytes = 4 * 1024 * 1024;
/** Encoding buffer; two per open batch (one being filled while the other is written). */
const chunkBytes = 1024 * 1024;
/**
 * JSON bytes per Parquet row group, so wide records get fewer rows per group (DuckDB's default is
 * 122,880 rows whatever their size); with the default part a group is the whole part.
 */
const rowGroupBytes = 8 * 1024 * 1024;
/** DuckDB's default row group; smaller sizes are honoured (wide records get a few hundred rows per group). */
const maxRowGroupRows = 122_880;
/** read_json refuses lines longer than maximum_object_size; its default is 16 MiB. */
const defaultMaxObjectBytes = 16 * 1024 * 1024;
/** Failed-records lines are buffered up to this many characters between writes. */
const failureFlushChars = 256 * 1024;

export interface ParquetSinkOptions {
  readonly dataDir: string;
  /**
   * JSONL bytes per Parquet part (default 4 MiB, at least 1 MiB); a finished part converts while the
   * next is written. Larger parts mean fewer files per batch and more DuckDB memory (see above).
   */
  readonly partBytes?: number;
  /**
   * DuckDB `memory_limit` for the conversions (default 256MB), shared by concurrent batches: a
   * ceiling on the native side of RSS, so a pathological batch fails its run rather than the
   * process. Measured under it with 8 MiB parts: 100 KB and 1 MB records convert (RSS ~200-250 MB);
   * read_json buffers twice maximum_object_size, so single records past ~40 MB would need more.
   */
  readonly memoryLimit?: string;
  /** DuckDB `threads` (default 1): one native thread beside the JS thread, which keeps RSS flat (see above). */
  readonly threads?: number;
}

export class ParquetDatasetSink implements DatasetSink {
  readonly #dataDir: string;
  readonly #partBytes: number;
  readonly #duckdbOptions: Record<string, string>;
  #instance: Promise<DuckDBInstance> | undefined;

  constructor(options: ParquetSinkOptions) {
    this.#dataDir = options.dataDir;
    this.#partBytes = Math.max(chunkBytes, options.partBytes ?? defaultPartBytes);
    this.#duckdbOptions = {
      threads: String(options.threads ?? 1),
      memory_limit: options.memoryLimit ?? "256MB",
    };
  }

  async registerDataset(dataset: DatasetDefinition): Promise<void> {
    assertSafeId(dataset.id, "dataset id");
    columnTypes(dataset.schema); // refuse a schema with no columns before anything is written
    await mkdir(datasetLayout.batches(this.#dataDir, dataset.id), { recursive: true });
    const file = datasetLayout.schemaFile(this.#dataDir, dataset.id);
    const temp = `${file}.${randomUUID()}.tmp`;
    await writeFile(temp, `${JSON.stringify(dataset.schema, null, 2)}\n`);
    await rename(temp, file);
  }

  async beginBatch(batch: BeginBatch): Promise<BatchWriter> {
    assertSafeId(batch.batchId, "batch id");
    await this.registerDataset(batch);
    const folder = datasetLayout.staging(this.#dataDir, batch.id);
    const staging = path.join(folder, `${batch.batchId}.${randomUUID()}`);
    const adopted = batch.resumable && batch.resume ? await adoptStaging(folder, batch.batchId, staging) : undefined;
    if (!adopted) await mkdir(staging, { recursive: true });
    return new ParquetBatchWriter(
      this.#dataDir,
      batch,
      staging,
      compileRecordCheck(batch.schema),
      compileRawRecordCheck(batch.schema),
      this.#partBytes,
      () => this.#connect(),
      batch.resumable === true,
      adopted,
    );
  }

  async removeDataset(id: string): Promise<void> {
    assertSafeId(id, "dataset id");
    await rm(datasetLayout.dataset(this.#dataDir, id), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    const opened = this.#instance;
    this.#instance = undefined;
    if (!opened) return;
    (await opened).closeSync();
  }

  /**
   * One connection per batch writer: batches of concurrent runs convert at the same time, and a
   * DuckDB connection runs one statement at a time. The instance (and so `memory_limit`) is shared.
   */
  async #connect(): Promise<DuckDBConnection> {
    this.#instance ??= DuckDBInstance.create(":memory:", this.#duckdbOptions);
    return (await this.#instance).connect();
  }
}

/**
 * A resumable batch's committed-parts manifest, in its staging folder: the Parquet parts fully
 * converted, the caller's mark reached at the end of the last part's records, and the counts and
 * failed-records bytes up to there. Written (atomically) after each checkpointed part converts.
 */
interface Manifest {
  readonly parts: readonly string[];
  readonly nextPart: number;
  readonly mark: unknown;
  readonly written: number;
  readonly failed: number;
  readonly seen: number;
  readonly failureBytes: number;
  readonly samples: readonly SampleError[];
}

const manifestName = "manifest.json";

async function readManifest(folder: string): Promise<Manifest | undefined> {
  try {
    const value = JSON.parse(await readFile(path.join(folder, manifestName), "utf8")) as Manifest;
    return Array.isArray(value.parts) && typeof value.nextPart === "number" ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes over the staging folder an earlier writer of `batchId` left with a manifest: renamed to
 * `staging` (a stalled writer then writes nowhere), everything the manifest does not name deleted,
 * the failed-records file cut back to the manifest's length. Other staging folders of the batch go.
 */
async function adoptStaging(folder: string, batchId: string, staging: string): Promise<Manifest | undefined> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const candidates = names.filter((name) => name.startsWith(`${batchId}.`));
  let adopted: Manifest | undefined;
  for (const name of candidates) {
    const dir = path.join(folder, name);
    const manifest = adopted ? undefined : await readManifest(dir);
    if (
      manifest &&
      (await rename(dir, staging).then(
        () => true,
        () => false,
      ))
    ) {
      adopted = manifest;
      continue;
    }
    await rm(dir, { recursive: true, force: true });
  }
  if (!adopted) return undefined;
  const keep = new Set([...adopted.parts, manifestName, datasetLayout.failedRecordsFileName]);
  for (const name of await readdir(staging)) {
    if (!keep.has(name)) await rm(path.join(staging, name), { recursive: true, force: true });
  }
  const failures = path.join(staging, datasetLayout.failedRecordsFileName);
  const cut = await (adopted.failureBytes > 0
    ? truncate(failures, adopted.failureBytes)
    : rm(failures, { force: true })
  ).then(
    () => true,
    () => false,
  );
  if (cut) return adopted;
  // The failed records up to the manifest are gone: start the batch over.
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  return undefined;
}

/** A staged JSONL part: its file is open while records are appended to it. */
interface Part {
  readonly index: number;
  readonly jsonl: string;
  readonly file: FileHandle;
}

/** What a part's conversion needs to know of its lines. */
interface PartFigures {
  bytes: number;
  records: number;
  /** The longest line's UTF-8 bytes, for read_json's maximum_object_size. */
  longestLine: number;
}

/** What a checkpointed part's manifest records besides the parts. */
type PartMark = Omit<Manifest, "parts" | "nextPart">;
const noFigures = (): PartFigures => ({ bytes: 0, records: 0, longestLine: 0 });

class ParquetBatchWriter implements BatchWriter {
  #state: "open" | "committed" | "aborted" = "open";
  #written = 0;
  #failed = 0;
  #seen = 0;
  readonly #samples: SampleError[] = [];
  /** The buffer being filled, `#used` bytes of it, and the one whose file write (`#inflight`) may still run. */
  #buffer = Buffer.allocUnsafe(chunkBytes);
  #spare = Buffer.allocUnsafe(chunkBytes);
  #used = 0;
  #inflight: Promise<void> | undefined;
  /** Set while a flush/roll runs: later writes queue behind it, so bytes stay in record order. */
  #blocked: Promise<void> | undefined;
  #part: Part | undefined;
  #partCount = 0;
  /** Figures of the part being written: every encoded line belongs to it (a roll flushes first). */
  #figures = noFigures();
  /** The conversion in flight (at most one), and the Parquet files finished so far, in order. */
  #converting: Promise<void> | undefined;
  readonly #files: string[] = [];
  #connection: Promise<DuckDBConnection> | undefined;
  #failures: FileHandle | undefined;
  #failureLines: string[] = [];
  #failureChars = 0;
  #discarding = false;
  #failureBytes = 0;
  #durable: unknown;
  readonly resumed: ResumedBatch | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly batch: BeginBatch,
    private readonly staging: string,
    private readonly check: RecordCheck,
    private readonly rawCheck: RawRecordCheck | undefined,
    private readonly partBytes: number,
    private readonly connect: () => Promise<DuckDBConnection>,
    private readonly resumable = false,
    adopted?: Manifest,
  ) {
    if (adopted) {
      this.#files.push(...adopted.parts.map((name) => path.join(staging, name)));
      this.#partCount = adopted.nextPart;
      this.#written = adopted.written;
      this.#failed = adopted.failed;
      this.#seen = adopted.seen;
      this.#samples.push(...adopted.samples);
      this.#failureBytes = adopted.failureBytes;
      this.#durable = adopted.mark;
    }
    this.resumed = adopted
      ? { mark: adopted.mark, writtenRecordCount: adopted.written, failedRecordCount: adopted.failed }
      : undefined;
  }

  /**
   * Resumable batches: once the part being written holds `partBytes`, it is closed here (and only
   * here, at a point the caller calls consistent) and converted; the manifest then names it with
   * `mark`. Between checkpoints a part grows past `partBytes` by the records of one page at most,
   * and to 4 × partBytes at most (then it rolls mid-page, and the next checkpoint names it).
   */
  async checkpoint(mark: unknown): Promise<void> {
    this.#assertOpen();
    if (!this.resumable) return;
    await this.#blocked;
    if (this.#figures.bytes + this.#used < this.partBytes) return;
    await this.#flushChunk();
    await this.#inflight;
    await this.#flushFailures();
    await this.#closePart({
      mark,
      written: this.#written,
      failed: this.#failed,
      seen: this.#seen,
      failureBytes: this.#failureBytes,
      samples: [...this.#samples],
    });
  }

  durableMark(): unknown {
    return this.#durable;
  }

  /**
   * Synchronous unless a 1 MiB chunk is full: then it returns the promise of that chunk's flush
   * (and, every `partBytes`, of rolling to the next part), which is where backpressure applies.
   * Per-record promises were measurable churn at 200k records; the port allows `undefined`.
   */
  /**
   * The record's own JSON text goes into the JSONL as is when the raw check vouches for it, which
   * spares JSON.stringify (and the caller's parse and mapping); DuckDB reads columns by name and
   * ignores members the schema lacks, so the Parquet rows are those `write` would give.
   */
  writeJson(json: Buffer): false | Promise<void> | undefined {
    if (this.#state !== "open") return Promise.reject(this.#closedError());
    if (this.rawCheck === undefined || !this.rawCheck(json)) return false;
    this.#seen++;
    this.#written++;
    if (this.#blocked !== undefined || this.#used + json.length + 1 > chunkBytes) return this.#queue(json);
    this.#encode(json);
    return undefined;
  }

  write(record: unknown): Promise<void> | undefined {
    if (this.#state !== "open") return Promise.reject(this.#closedError());
    let line: string;
    try {
      const reason = this.check(record);
      if (reason !== undefined) return this.fail(record, reason);
      line = JSON.stringify(record);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#seen++;
    this.#written++;
    // UTF-8 takes at most 3 bytes per UTF-16 unit, plus the newline.
    if (this.#blocked !== undefined || this.#used + line.length * 3 + 1 > chunkBytes) return this.#queue(line);
    this.#encode(line);
    return undefined;
  }

  async fail(record: unknown, reason: string): Promise<void> {
    this.#assertOpen();
    const recordIndex = this.#seen++;
    this.#failed++;
    if (this.#samples.length < sampleErrorLimit) this.#samples.push({ recordIndex, reason });
    const line = `${JSON.stringify({ recordIndex, reason, record })}\n`;
    this.#failureLines.push(line);
    this.#failureChars += line.length;
    if (this.#failureChars >= failureFlushChars) await this.#flushFailures();
  }

  stats(): BatchStats {
    return { writtenRecordCount: this.#written, failedRecordCount: this.#failed };
  }

  async commit(): Promise<BatchResult> {
    this.#assertOpen();
    this.#state = "committed";
    try {
      await this.#blocked;
      await this.#flushChunk();
      await this.#inflight;
      await this.#closePart(); // converts the last part; waits for the one before it first
      await this.#converting;
      await this.#flushFailures();
      await this.#failures?.close();
      await rm(path.join(this.staging, manifestName), { force: true });
      this.#release();
      const target = datasetLayout.batch(this.dataDir, this.batch.id, this.batch.batchId);
      await replaceDirectory(this.staging, target);
      const committed = this.#files.map((f) => path.join(target, path.basename(f)));
      let outputBytes = 0;
      for (const file of committed) outputBytes += (await stat(file)).size;
      return {
        datasetId: this.batch.id,
        batchId: this.batch.batchId,
        writtenRecordCount: this.#written,
        failedRecordCount: this.#failed,
        outputBytes,
        files: committed,
        failedRecordsFile:
          this.#failures || this.#failureBytes > 0 ? path.join(target, datasetLayout.failedRecordsFileName) : undefined,
        sampleErrors: [...this.#samples],
      };
    } catch (error) {
      await this.#discard();
      throw error;
    }
  }

  async abort(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    await this.#discard();
  }

  /**
   * Stops a running conversion and starts no other, lets pending I/O settle (its errors no longer
   * matter), then removes the staging folder. Once `#blocked` has settled nothing new can start (the
   * state is no longer open), so the second wait covers the last write and conversion.
   */
  async #discard(): Promise<void> {
    this.#discarding = true;
    this.#failureLines = [];
    (await this.#connection?.catch(() => undefined))?.interrupt();
    await Promise.allSettled([this.#blocked, this.#inflight]);
    await Promise.allSettled([this.#inflight, this.#converting]);
    await this.#part?.file.close().catch(() => undefined);
    this.#part = undefined;
    await this.#failures?.close().catch(() => undefined);
    this.#release();
    await rm(this.staging, { recursive: true, force: true });
  }

  #release(): void {
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.then(
      (c) => c.closeSync(),
      () => undefined,
    );
    this.#buffer = this.#spare = Buffer.alloc(0);
  }

  #encode(line: string | Buffer): void {
    const bytes =
      typeof line === "string" ? this.#buffer.write(line, this.#used, "utf8") : line.copy(this.#buffer, this.#used);
    this.#used += bytes;
    this.#buffer[this.#used++] = 0x0a;
    this.#figures.records++;
    if (bytes > this.#figures.longestLine) this.#figures.longestLine = bytes;
  }

  #queue(line: string | Buffer): Promise<void> {
    const previous = this.#blocked;
    const next = (previous ?? Promise.resolve()).then(() => this.#append(line));
    const settled = next.finally(() => {
      if (this.#blocked === settled) this.#blocked = undefined;
    });
    this.#blocked = settled;
    return settled;
  }

  async #append(line: string | Buffer): Promise<void> {
    // A UTF-16 unit takes at most 3 bytes in UTF-8; a Buffer is its bytes.
    const worst = (typeof line === "string" ? line.length * 3 : line.length) + 1;
    if (this.#used + worst > chunkBytes) {
      await this.#flushChunk();
      // Roll before the part would outgrow partBytes with one more chunk. Resumable batches roll at
      // checkpoints (page boundaries), and here only past 4 × partBytes (a huge page, or NONE):
      // the next checkpoint's manifest then names that part too.
      if (this.#figures.bytes + chunkBytes > (this.resumable ? 4 : 1) * this.partBytes) {
        await this.#inflight;
        await this.#closePart();
      }
    }
    if (worst <= chunkBytes) {
      this.#encode(line);
      return;
    }
    // A record bigger than the buffer goes to the file on its own.
    const bytes = typeof line === "string" ? Buffer.from(`${line}\n`) : Buffer.concat([line, Buffer.from("\n")]);
    const part = await this.#openPart();
    await this.#inflight;
    await writeAll(part.file, bytes, bytes.length);
    this.#figures.bytes += bytes.length;
    this.#figures.records++;
    if (bytes.length > this.#figures.longestLine) this.#figures.longestLine = bytes.length;
  }

  /** Hands the filled buffer to a file write and continues in the other one (once its own write is done). */
  async #flushChunk(): Promise<void> {
    if (this.#used === 0) return;
    const part = await this.#openPart();
    await this.#inflight;
    const full = this.#buffer;
    const length = this.#used;
    this.#buffer = this.#spare;
    this.#spare = full;
    this.#used = 0;
    this.#figures.bytes += length;
    this.#inflight = writeAll(part.file, full, length);
    // Awaited by the next flush, commit or discard; until then a failure must not count as unhandled.
    this.#inflight.catch(() => undefined);
  }

  async #openPart(): Promise<Part> {
    if (this.#part !== undefined) return this.#part;
    const index = this.#partCount++;
    const jsonl = path.join(this.staging, `part-${index}.jsonl`);
    const file = await open(jsonl, "w");
    this.#part = { index, jsonl, file };
    return this.#part;
  }

  /** Closes the current part (its writes must be done) and starts its conversion once the previous one is done. */
  async #closePart(mark?: PartMark): Promise<void> {
    const part = this.#part;
    if (part === undefined) return;
    const figures = this.#figures;
    this.#part = undefined;
    this.#figures = noFigures();
    await part.file.close();
    await this.#converting; // at most one conversion in flight; rethrows its failure
    this.#converting = this.#convert(part, figures, mark);
    this.#converting.catch(() => undefined);
  }

  async #convert(part: Part, figures: PartFigures, mark?: PartMark): Promise<void> {
    const output = path.join(this.staging, `part-${part.index}.parquet`);
    this.#connection ??= this.connect();
    const connection = await this.#connection;
    const averageBytes = Math.max(1, figures.bytes / Math.max(1, figures.records));
    const rowGroupRows = Math.min(maxRowGroupRows, Math.max(1, Math.floor(rowGroupBytes / averageBytes)));
    const maxObjectBytes = Math.max(defaultMaxObjectBytes, 2 ** Math.ceil(Math.log2(figures.longestLine + 2)));
    if (this.#discarding) return; // aborted while the connection opened: the folder is going away
    await connection.run(
      `COPY (SELECT * FROM read_json(${quoteLiteral(part.jsonl)}, format = 'newline_delimited', records = true, ` +
        `maximum_object_size = ${maxObjectBytes}, columns = ${readJsonColumns(this.batch.schema)})) ` +
        `TO ${quoteLiteral(output)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroupRows})`,
    );
    await rm(part.jsonl, { force: true });
    this.#files.push(output);
    if (mark === undefined || this.#discarding) return;
    const manifest: Manifest = {
      ...mark,
      parts: this.#files.map((file) => path.basename(file)),
      nextPart: part.index + 1,
    };
    const file = path.join(this.staging, manifestName);
    await writeFile(`${file}.tmp`, JSON.stringify(manifest));
    await rename(`${file}.tmp`, file);
    this.#durable = mark.mark;
  }

  async #flushFailures(): Promise<void> {
    if (this.#failureLines.length === 0) return;
    const text = this.#failureLines.join("");
    this.#failureLines = [];
    this.#failureChars = 0;
    this.#failures ??= await open(path.join(this.staging, datasetLayout.failedRecordsFileName), "a");
    await this.#failures.write(text);
    this.#failureBytes += Buffer.byteLength(text);
  }

  #closedError(): DatasetError {
    return new DatasetError("batchClosed", `batch ${this.batch.batchId} is already ${this.#state}`);
  }

  #assertOpen(): void {
    if (this.#state !== "open") throw this.#closedError();
  }
}

async function writeAll(file: FileHandle, buffer: Buffer, length: number): Promise<void> {
  for (let offset = 0; offset < length; ) {
    const { bytesWritten } = await file.write(buffer, offset, length - offset);
    offset += bytesWritten;
  }
}

/**
 * Moves a finished staging folder into place. A batch that already exists (a retried window) is
 * first renamed aside, so readers see the old batch or the new one, never a mix; the gap between
 * the two renames shows neither.
 */
async function replaceDirectory(source: string, target: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const aside = path.join(path.dirname(source), `replaced.${randomUUID()}`);
  const existed = await rename(target, aside).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return false;
      throw error;
    },
  );
  await rename(source, target);
  if (existed) await rm(aside, { recursive: true, force: true });
}
