/**
 * The PostgreSQL dataset sink: a table per dataset with typed columns (pg-columns.ts), beside the
 * Parquet sink, for deployments where workers on several machines must write to one place.
 *
 * Everything lives in the schema `inlet_datasets` of the given database:
 * - `datasets` (id, schema, columns): the registry, which `inlet query` reads;
 * - `batches` (dataset_id, batch_id, writer, state, counts): who may commit a batch;
 * - `t_<id>`: the committed rows, the dataset's columns plus `_batch_id`;
 * - `s_<id>`: an UNLOGGED staging table where a batch's rows go while its run reads
 *   (`_inlet_writer` tells writers apart: a retried window can briefly have two);
 * - `f_<id>`: failed records (batch, record index, reason, record as jsonb);
 * - the views `ds_<id>` (the dataset's columns) and `ds_<id>_failed` (failed records of committed batches).
 *
 * Nothing is visible before `commit`, which in one transaction deletes the batch's previous rows
 * (a retried window), moves the staged rows in and marks the batch committed: readers see the old
 * batch or the new one, never both. `beginBatch` makes the new writer the batch's only legitimate
 * committer, so a stalled process whose run was taken over cannot commit its stale copy later.
 * Rows are staged with multi-row parameterised INSERTs (up to 500 rows a statement).
 *
 * A resumable writer stages only at `checkpoint` calls (once a statement's worth of rows is
 * buffered): the rows, the failed records and the caller's mark (`batches.mark`, with the staged
 * counts) go in one transaction, so the staged rows of a writer are always exactly those of its
 * last mark. A writer begun with `resume` takes them over (re-owned to it in one transaction) when
 * the staged counts still match; the staging table is UNLOGGED, so a PostgreSQL crash may have
 * emptied it, and then the batch starts over.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import {
  assertSafeId,
  type BatchResult,
  type BatchStats,
  type BatchWriter,
  type BeginBatch,
  type DatasetDefinition,
  DatasetError,
  type DatasetSink,
  type JsonSchema,
  type ResumedBatch,
  type SampleError,
  sampleErrorLimit,
} from "../dataset-sink.ts";
import { compileRecordCheck, type RecordCheck } from "../parquet/schema-validator.ts";
import { batchColumn, type PgColumn, pgColumns, pgValue, quoteIdent, writerColumn } from "./pg-columns.ts";

export const datasetSchemaName = "inlet_datasets";

export interface PostgresSinkOptions {
  /** postgres://… of the database the datasets live in (by default the metadata store's). */
  readonly url: string;
  /** Connections this process keeps for dataset writes (default 4). */
  readonly poolSize?: number;
}

const maxParameters = 65_000;
const maxRowsPerStatement = 500;

/** Table and view names of one dataset, quoted and schema-qualified. */
export function datasetTables(id: string) {
  const q = (name: string) => `${datasetSchemaName}.${quoteIdent(name)}`;
  return {
    data: q(`t_${id}`),
    staging: q(`s_${id}`),
    failed: q(`f_${id}`),
    view: q(`ds_${id}`),
    failedView: q(`ds_${id}_failed`),
  };
}

const setupSql = `
  CREATE SCHEMA IF NOT EXISTS ${datasetSchemaName};
  CREATE TABLE IF NOT EXISTS ${datasetSchemaName}.datasets (
    id text PRIMARY KEY,
    schema jsonb NOT NULL,
    columns jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS ${datasetSchemaName}.batches (
    dataset_id text NOT NULL,
    batch_id text NOT NULL,
    writer text NOT NULL,
    state text NOT NULL,
    record_count bigint NOT NULL DEFAULT 0,
    failed_count bigint NOT NULL DEFAULT 0,
    output_bytes bigint NOT NULL DEFAULT 0,
    committed_at timestamptz,
    PRIMARY KEY (dataset_id, batch_id)
  );
  ALTER TABLE ${datasetSchemaName}.batches ADD COLUMN IF NOT EXISTS mark jsonb,
    ADD COLUMN IF NOT EXISTS staged jsonb;`;

/** What a resumable writer's checkpoint records beside its mark (`batches.staged`). */
interface Staged {
  readonly written: number;
  readonly failed: number;
  readonly seen: number;
  readonly samples: readonly SampleError[];
}

/** One lock key per purpose; DDL on a dataset happens under it so concurrent workers do not race. */
const lockSql = "SELECT pg_advisory_xact_lock(hashtext($1))";

export class PostgresDatasetSink implements DatasetSink {
  readonly #pool: pg.Pool;
  #ready: Promise<void> | undefined;
  /** Dataset id → the schema text this process last made sure of (skips the DDL on every batch). */
  readonly #known = new Map<string, string>();

  constructor(options: PostgresSinkOptions) {
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: 10_000,
    });
    this.#pool.on("error", () => undefined);
  }

  async registerDataset(dataset: DatasetDefinition): Promise<void> {
    assertSafeId(dataset.id, "dataset id");
    const columns = pgColumns(dataset.schema);
    const schemaText = JSON.stringify(dataset.schema);
    if (this.#known.get(dataset.id) === schemaText) return;
    await this.#setup();
    await this.#transaction(async (client) => {
      await client.query(lockSql, [`inlet_datasets:${dataset.id}`]);
      const existing = await client.query<{ columns: PgColumn[] }>(
        `SELECT columns FROM ${datasetSchemaName}.datasets WHERE id = $1`,
        [dataset.id],
      );
      const before = existing.rows[0]?.columns ?? [];
      const merged = mergeColumns(dataset.id, before, columns);
      const t = datasetTables(dataset.id);
      const columnDefs = (list: readonly PgColumn[]) => list.map((c) => `${quoteIdent(c.name)} ${c.type}`);
      if (existing.rows.length === 0) {
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${t.data} (${[...columnDefs(merged), `${batchColumn} text NOT NULL`].join(", ")})`,
        );
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${quoteIdent(`t_${dataset.id}_batch`)} ON ${t.data} (${batchColumn})`,
        );
        await client.query(
          `CREATE UNLOGGED TABLE IF NOT EXISTS ${t.staging} (${[...columnDefs(merged), `${writerColumn} text NOT NULL`].join(", ")})`,
        );
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${quoteIdent(`s_${dataset.id}_writer`)} ON ${t.staging} (${writerColumn})`,
        );
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${t.failed} (batch_id text NOT NULL, writer text NOT NULL, ` +
            "committed boolean NOT NULL DEFAULT false, record_index integer NOT NULL, reason text NOT NULL, record jsonb)",
        );
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${quoteIdent(`f_${dataset.id}_batch`)} ON ${t.failed} (batch_id, writer)`,
        );
      } else {
        const added = merged.filter((c) => !before.some((b) => b.name === c.name));
        for (const column of added) {
          for (const table of [t.data, t.staging]) {
            await client.query(
              `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${quoteIdent(column.name)} ${column.type}`,
            );
          }
        }
      }
      // The view shows the current schema's columns (a property dropped from the schema stays in the table).
      const visible = columns.map((c) => quoteIdent(c.name)).join(", ");
      await client.query(`DROP VIEW IF EXISTS ${t.view}`);
      await client.query(`CREATE VIEW ${t.view} AS SELECT ${visible} FROM ${t.data}`);
      await client.query(
        `CREATE OR REPLACE VIEW ${t.failedView} AS SELECT batch_id, record_index, reason, record FROM ${t.failed} WHERE committed`,
      );
      await client.query(
        `INSERT INTO ${datasetSchemaName}.datasets (id, schema, columns) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET schema = excluded.schema, columns = excluded.columns, updated_at = now()`,
        [dataset.id, schemaText, JSON.stringify(merged)],
      );
    });
    this.#known.set(dataset.id, schemaText);
  }

  async beginBatch(batch: BeginBatch): Promise<BatchWriter> {
    assertSafeId(batch.batchId, "batch id");
    await this.registerDataset(batch);
    const writer = randomUUID();
    const t = datasetTables(batch.id);
    if (batch.resumable && batch.resume) {
      const adopted = await this.#adopt(batch, writer);
      if (adopted)
        return new PostgresBatchWriter(
          this.#pool,
          batch,
          writer,
          pgColumns(batch.schema),
          compileRecordCheck(batch.schema),
          (work) => this.#transaction(work),
          adopted,
        );
    }
    // The newest writer of a batch is the one that may commit it; an older writer's staged rows go.
    const previous = await this.#pool.query<{ writer: string }>(
      `WITH old AS (SELECT writer FROM ${datasetSchemaName}.batches WHERE dataset_id = $1 AND batch_id = $2)
       INSERT INTO ${datasetSchemaName}.batches AS b (dataset_id, batch_id, writer, state) VALUES ($1, $2, $3, 'writing')
       ON CONFLICT (dataset_id, batch_id) DO UPDATE SET writer = excluded.writer, mark = NULL, staged = NULL,
         state = CASE WHEN b.state = 'committed' THEN 'committed' ELSE 'writing' END
       RETURNING (SELECT writer FROM old) AS writer`,
      [batch.id, batch.batchId, writer],
    );
    const superseded = previous.rows[0]?.writer;
    if (superseded) {
      await this.#pool.query(`DELETE FROM ${t.staging} WHERE ${writerColumn} = $1`, [superseded]);
      await this.#pool.query(`DELETE FROM ${t.failed} WHERE writer = $1 AND NOT committed`, [superseded]);
    }
    return new PostgresBatchWriter(
      this.#pool,
      batch,
      writer,
      pgColumns(batch.schema),
      compileRecordCheck(batch.schema),
      (work) => this.#transaction(work),
    );
  }

  /** Re-owns the rows a dead resumable writer staged up to its mark; undefined when there is none to take. */
  async #adopt(batch: BeginBatch, writer: string): Promise<{ mark: unknown; staged: Staged } | undefined> {
    const t = datasetTables(batch.id);
    return this.#transaction(async (client) => {
      await client.query(lockSql, [`inlet_datasets:${batch.id}:${batch.batchId}`]);
      const found = await client.query<{ writer: string; mark: unknown; staged: Staged | null }>(
        `SELECT writer, mark, staged FROM ${datasetSchemaName}.batches
         WHERE dataset_id = $1 AND batch_id = $2 AND state = 'writing' AND mark IS NOT NULL FOR UPDATE`,
        [batch.id, batch.batchId],
      );
      const previous = found.rows[0];
      if (!previous?.staged) return undefined;
      const counted = await client.query<{ rows: string; failed: string }>(
        `SELECT (SELECT count(*) FROM ${t.staging} WHERE ${writerColumn} = $1)::text AS rows,
                (SELECT count(*) FROM ${t.failed} WHERE writer = $1 AND NOT committed)::text AS failed`,
        [previous.writer],
      );
      const counts = counted.rows[0];
      if (Number(counts?.rows) !== previous.staged.written || Number(counts?.failed) !== previous.staged.failed)
        return undefined; // the UNLOGGED staging lost rows (a PostgreSQL crash): start over
      await client.query(`UPDATE ${t.staging} SET ${writerColumn} = $2 WHERE ${writerColumn} = $1`, [
        previous.writer,
        writer,
      ]);
      await client.query(`UPDATE ${t.failed} SET writer = $2 WHERE writer = $1 AND NOT committed`, [
        previous.writer,
        writer,
      ]);
      await client.query(
        `UPDATE ${datasetSchemaName}.batches SET writer = $3 WHERE dataset_id = $1 AND batch_id = $2`,
        [batch.id, batch.batchId, writer],
      );
      return { mark: previous.mark, staged: previous.staged };
    });
  }

  async removeDataset(id: string): Promise<void> {
    assertSafeId(id, "dataset id");
    if (!(await this.#registryExists())) return;
    const t = datasetTables(id);
    await this.#transaction(async (client) => {
      await client.query(lockSql, [`inlet_datasets:${id}`]);
      await client.query(`DROP VIEW IF EXISTS ${t.view}`);
      await client.query(`DROP VIEW IF EXISTS ${t.failedView}`);
      await client.query(`DROP TABLE IF EXISTS ${t.data}, ${t.staging}, ${t.failed}`);
      await client.query(`DELETE FROM ${datasetSchemaName}.batches WHERE dataset_id = $1`, [id]);
      await client.query(`DELETE FROM ${datasetSchemaName}.datasets WHERE id = $1`, [id]);
    });
    this.#known.delete(id);
  }

  /** Whether the dataset was registered with this sink (the router asks when a batch names no sink). */
  async hasDataset(id: string): Promise<boolean> {
    if (this.#known.has(id)) return true;
    if (!(await this.#registryExists())) return false;
    const found = await this.#pool.query(`SELECT 1 FROM ${datasetSchemaName}.datasets WHERE id = $1`, [id]);
    return found.rows.length > 0;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  /** Without creating anything: a database where no PostgreSQL dataset was ever registered stays untouched. */
  async #registryExists(): Promise<boolean> {
    if (this.#ready !== undefined) return true;
    const found = await this.#pool.query("SELECT to_regclass($1) IS NOT NULL AS found", [
      `${datasetSchemaName}.datasets`,
    ]);
    return found.rows[0]?.found === true;
  }

  #setup(): Promise<void> {
    this.#ready ??= this.#transaction(async (client) => {
      await client.query(lockSql, ["inlet_datasets:setup"]);
      await client.query(setupSql);
    }).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

function mergeColumns(id: string, before: readonly PgColumn[], now: readonly PgColumn[]): PgColumn[] {
  const merged = [...before];
  for (const column of now) {
    const old = merged.find((c) => c.name === column.name);
    if (old === undefined) merged.push(column);
    else if (old.type !== column.type) {
      throw new DatasetError(
        "schemaUnsupported",
        `dataset ${id}: column "${column.name}" is ${old.type} in PostgreSQL and cannot become ${column.type}`,
      );
    }
  }
  return merged;
}

class PostgresBatchWriter implements BatchWriter {
  #state: "open" | "committed" | "aborted" = "open";
  #rows: unknown[][] = [];
  #failedRows: unknown[][] = [];
  #written = 0;
  #failed = 0;
  #seen = 0;
  readonly #samples: SampleError[] = [];
  readonly #rowsPerStatement: number;
  readonly #tables: ReturnType<typeof datasetTables>;
  readonly #resumable: boolean;
  #durable: unknown;
  readonly resumed: ResumedBatch | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly batch: BeginBatch,
    private readonly writer: string,
    private readonly columns: readonly PgColumn[],
    private readonly check: RecordCheck,
    private readonly transaction: <T>(work: (client: pg.PoolClient) => Promise<T>) => Promise<T>,
    adopted?: { mark: unknown; staged: Staged },
  ) {
    this.#rowsPerStatement = Math.max(
      1,
      Math.min(maxRowsPerStatement, Math.floor(maxParameters / (columns.length + 1))),
    );
    this.#tables = datasetTables(batch.id);
    this.#resumable = batch.resumable === true;
    if (adopted) {
      this.#written = adopted.staged.written;
      this.#failed = adopted.staged.failed;
      this.#seen = adopted.staged.seen;
      this.#samples.push(...adopted.staged.samples);
      this.#durable = adopted.mark;
    }
    this.resumed = adopted
      ? { mark: adopted.mark, writtenRecordCount: adopted.staged.written, failedRecordCount: adopted.staged.failed }
      : undefined;
  }

  /**
   * Resumable writers: once a statement's worth of rows is buffered, stages them, the failed
   * records and `mark` in one transaction, as the batch's writer still (a superseded one fails).
   */
  async checkpoint(mark: unknown): Promise<void> {
    this.#assertOpen();
    if (!this.#resumable || this.#rows.length < this.#rowsPerStatement) return;
    const { id, batchId } = this.batch;
    const staged: Staged = { written: this.#written, failed: this.#failed, seen: this.#seen, samples: this.#samples };
    await this.transaction(async (client) => {
      await client.query(lockSql, [`inlet_datasets:${id}:${batchId}`]);
      const owner = await client.query<{ writer: string }>(
        `SELECT writer FROM ${datasetSchemaName}.batches WHERE dataset_id = $1 AND batch_id = $2 FOR UPDATE`,
        [id, batchId],
      );
      if (owner.rows[0]?.writer !== this.writer)
        throw new DatasetError("batchClosed", `batch ${batchId} was started again by another writer`);
      await this.#flush(client);
      await this.#flushFailed(client);
      await client.query(
        `UPDATE ${datasetSchemaName}.batches SET mark = $3, staged = $4 WHERE dataset_id = $1 AND batch_id = $2`,
        [id, batchId, JSON.stringify(mark ?? null), JSON.stringify(staged)],
      );
    });
    this.#durable = mark;
  }

  durableMark(): unknown {
    return this.#durable;
  }

  async write(record: unknown): Promise<void> {
    this.#assertOpen();
    const reason = this.check(record);
    if (reason !== undefined) return this.fail(record, reason);
    this.#seen++;
    const values = record as Record<string, unknown>;
    this.#rows.push([...this.columns.map((c) => pgValue(values[c.name], c.type)), this.writer]);
    this.#written++;
    if (!this.#resumable && this.#rows.length >= this.#rowsPerStatement) await this.#flush();
  }

  async fail(record: unknown, reason: string): Promise<void> {
    this.#assertOpen();
    const recordIndex = this.#seen++;
    this.#failed++;
    if (this.#samples.length < sampleErrorLimit) this.#samples.push({ recordIndex, reason });
    this.#failedRows.push([
      this.batch.batchId,
      this.writer,
      recordIndex,
      reason,
      record === undefined ? null : JSON.stringify(record),
    ]);
    if (!this.#resumable && this.#failedRows.length >= maxRowsPerStatement) await this.#flushFailed();
  }

  stats(): BatchStats {
    return { writtenRecordCount: this.#written, failedRecordCount: this.#failed };
  }

  async commit(): Promise<BatchResult> {
    this.#assertOpen();
    this.#state = "committed";
    const t = this.#tables;
    const { id, batchId } = this.batch;
    try {
      await this.#flush();
      await this.#flushFailed();
      const names = this.columns.map((c) => quoteIdent(c.name)).join(", ");
      const outputBytes = await this.transaction(async (client) => {
        await client.query(lockSql, [`inlet_datasets:${id}:${batchId}`]);
        const owner = await client.query<{ writer: string }>(
          `SELECT writer FROM ${datasetSchemaName}.batches WHERE dataset_id = $1 AND batch_id = $2 FOR UPDATE`,
          [id, batchId],
        );
        if (owner.rows[0]?.writer !== this.writer) {
          throw new DatasetError("batchClosed", `batch ${batchId} was started again by another writer; not committed`);
        }
        await client.query(`DELETE FROM ${t.data} WHERE ${batchColumn} = $1`, [batchId]);
        await client.query(
          `INSERT INTO ${t.data} (${names}, ${batchColumn}) SELECT ${names}, $1 FROM ${t.staging} WHERE ${writerColumn} = $2`,
          [batchId, this.writer],
        );
        const size = await client.query<{ bytes: string | null }>(
          `SELECT sum(pg_column_size(d.*))::text AS bytes FROM ${t.data} d WHERE ${batchColumn} = $1`,
          [batchId],
        );
        await client.query(`DELETE FROM ${t.staging} WHERE ${writerColumn} = $1`, [this.writer]);
        await client.query(`DELETE FROM ${t.failed} WHERE batch_id = $1 AND writer <> $2`, [batchId, this.writer]);
        await client.query(`UPDATE ${t.failed} SET committed = true WHERE batch_id = $1 AND writer = $2`, [
          batchId,
          this.writer,
        ]);
        const bytes = Number(size.rows[0]?.bytes ?? 0);
        await client.query(
          `UPDATE ${datasetSchemaName}.batches SET state = 'committed', committed_at = now(),
             record_count = $3, failed_count = $4, output_bytes = $5 WHERE dataset_id = $1 AND batch_id = $2`,
          [id, batchId, this.#written, this.#failed, bytes],
        );
        return bytes;
      });
      return {
        datasetId: id,
        batchId,
        writtenRecordCount: this.#written,
        failedRecordCount: this.#failed,
        outputBytes,
        files: [],
        failedRecordsFile: undefined,
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
    this.#rows = [];
    this.#failedRows = [];
    await this.#discard();
  }

  async #discard(): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.#tables.staging} WHERE ${writerColumn} = $1`, [this.writer]);
    await this.pool.query(`DELETE FROM ${this.#tables.failed} WHERE writer = $1 AND NOT committed`, [this.writer]);
  }

  async #flush(client: pg.Pool | pg.PoolClient = this.pool): Promise<void> {
    while (this.#rows.length > 0) {
      const chunk = this.#rows.splice(0, this.#rowsPerStatement);
      const names = [...this.columns.map((c) => quoteIdent(c.name)), writerColumn].join(", ");
      await client.query(
        `INSERT INTO ${this.#tables.staging} (${names}) VALUES ${placeholders(chunk.length, this.columns.length + 1)}`,
        chunk.flat(),
      );
    }
  }

  async #flushFailed(client: pg.Pool | pg.PoolClient = this.pool): Promise<void> {
    if (this.#failedRows.length === 0) return;
    const chunk = this.#failedRows;
    this.#failedRows = [];
    await client.query(
      `INSERT INTO ${this.#tables.failed} (batch_id, writer, record_index, reason, record) VALUES ${placeholders(chunk.length, 5)}`,
      chunk.flat(),
    );
  }

  #assertOpen(): void {
    if (this.#state !== "open")
      throw new DatasetError("batchClosed", `batch ${this.batch.batchId} is already ${this.#state}`);
  }
}

function placeholders(rows: number, width: number): string {
  const out: string[] = [];
  let n = 1;
  for (let r = 0; r < rows; r++) {
    const row: string[] = [];
    for (let c = 0; c < width; c++) row.push(`$${n++}`);
    out.push(`(${row.join(", ")})`);
  }
  return out.join(", ");
}

export type { JsonSchema };
