import { randomUUID } from "node:crypto";
import { type FileHandle, mkdir, open, rename, rm, stat, writeFile } from "node:fs/promises";
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
  type SampleError,
  sampleErrorLimit,
} from "../dataset-sink.ts";
import { datasetLayout } from "../layout.ts";
import { columnTypes, quoteLiteral, readJsonColumns } from "./column-types.ts";
import { compileRecordCheck, type RecordCheck } from "./schema-validator.ts";

/**
 * Records are staged as JSONL in the batch's staging folder, then one DuckDB
 * `COPY (SELECT … FROM read_json(…, columns=…)) TO … (FORMAT parquet, COMPRESSION zstd)` turns the
 * file into typed Parquet at commit. Only `flushBytes` of text is held in memory.
 * Measured (2 shared cores, 200k records, end to end to Parquet): this path 443k rec/s on 4 flat
 * columns incl. Ajv validation and ~200k rec/s on the nested test schema; the DuckDB appender did
 * 1.0M rec/s on the same flat columns without validation. The appender is faster for flat rows, but
 * STRUCT/LIST columns need a JS value wrapper per nested field (not measured); JSONL handles any
 * schema with one code path. An appender fast path for flat schemas is the known next step.
 */
const flushBytes = 4 * 1024 * 1024;

export interface ParquetSinkOptions {
  readonly dataDir: string;
}

export class ParquetDatasetSink implements DatasetSink {
  readonly #dataDir: string;
  #connection: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> | undefined;

  constructor(options: ParquetSinkOptions) {
    this.#dataDir = options.dataDir;
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
    const staging = path.join(datasetLayout.staging(this.#dataDir, batch.id), `${batch.batchId}.${randomUUID()}`);
    await mkdir(staging, { recursive: true });
    return new ParquetBatchWriter(this.#dataDir, batch, staging, compileRecordCheck(batch.schema), () =>
      this.#connect(),
    );
  }

  async removeDataset(id: string): Promise<void> {
    assertSafeId(id, "dataset id");
    await rm(datasetLayout.dataset(this.#dataDir, id), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    const opened = this.#connection;
    this.#connection = undefined;
    if (!opened) return;
    const { instance, connection } = await opened;
    connection.closeSync();
    instance.closeSync();
  }

  #connect(): Promise<DuckDBConnection> {
    this.#connection ??= (async () => {
      const instance = await DuckDBInstance.create(":memory:");
      return { instance, connection: await instance.connect() };
    })();
    return this.#connection.then((c) => c.connection);
  }
}

class ParquetBatchWriter implements BatchWriter {
  #state: "open" | "committed" | "aborted" = "open";
  #records: FileHandle | undefined;
  #failures: FileHandle | undefined;
  #pending: string[] = [];
  #pendingBytes = 0;
  #written = 0;
  #failed = 0;
  #seen = 0;
  readonly #samples: SampleError[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly batch: BeginBatch,
    private readonly staging: string,
    private readonly check: RecordCheck,
    private readonly connect: () => Promise<DuckDBConnection>,
  ) {}

  async write(record: unknown): Promise<void> {
    this.#assertOpen();
    const reason = this.check(record);
    if (reason !== undefined) return this.fail(record, reason);
    this.#seen++;
    const line = `${JSON.stringify(record)}\n`;
    this.#pending.push(line);
    this.#pendingBytes += line.length;
    this.#written++;
    if (this.#pendingBytes >= flushBytes) await this.#flush();
  }

  async fail(record: unknown, reason: string): Promise<void> {
    this.#assertOpen();
    const recordIndex = this.#seen++;
    this.#failed++;
    if (this.#samples.length < sampleErrorLimit) this.#samples.push({ recordIndex, reason });
    this.#failures ??= await open(path.join(this.staging, datasetLayout.failedRecordsFileName), "w");
    await this.#failures.write(`${JSON.stringify({ recordIndex, reason, record })}\n`);
  }

  stats(): BatchStats {
    return { writtenRecordCount: this.#written, failedRecordCount: this.#failed };
  }

  async commit(): Promise<BatchResult> {
    this.#assertOpen();
    this.#state = "committed";
    try {
      await this.#flush();
      await this.#records?.close();
      await this.#failures?.close();
      const files = this.#records ? [await this.#convert()] : [];
      await rm(this.#stagingJsonl(), { force: true });
      const target = datasetLayout.batch(this.dataDir, this.batch.id, this.batch.batchId);
      await replaceDirectory(this.staging, target);
      const committed = files.map((f) => path.join(target, path.basename(f)));
      let outputBytes = 0;
      for (const file of committed) outputBytes += (await stat(file)).size;
      return {
        datasetId: this.batch.id,
        batchId: this.batch.batchId,
        writtenRecordCount: this.#written,
        failedRecordCount: this.#failed,
        outputBytes,
        files: committed,
        failedRecordsFile: this.#failures ? path.join(target, datasetLayout.failedRecordsFileName) : undefined,
        sampleErrors: [...this.#samples],
      };
    } catch (error) {
      await rm(this.staging, { recursive: true, force: true });
      throw error;
    }
  }

  async abort(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    this.#pending = [];
    await this.#records?.close().catch(() => undefined);
    await this.#failures?.close().catch(() => undefined);
    await rm(this.staging, { recursive: true, force: true });
  }

  async #flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const chunk = this.#pending.join("");
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#records ??= await open(this.#stagingJsonl(), "w");
    await this.#records.write(chunk);
  }

  async #convert(): Promise<string> {
    const output = path.join(this.staging, "part-0.parquet");
    const connection = await this.connect();
    await connection.run(
      `COPY (SELECT * FROM read_json(${quoteLiteral(this.#stagingJsonl())}, format = 'newline_delimited', ` +
        `columns = ${readJsonColumns(this.batch.schema)})) ` +
        `TO ${quoteLiteral(output)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    return output;
  }

  #stagingJsonl(): string {
    return path.join(this.staging, "records.jsonl");
  }

  #assertOpen(): void {
    if (this.#state !== "open")
      throw new DatasetError("batchClosed", `batch ${this.batch.batchId} is already ${this.#state}`);
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
