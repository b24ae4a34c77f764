import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FreshDatabase, freshDatabase, postgresServerUrl } from "../../../test/cluster/fresh-database.ts";
import { DatasetError } from "../dataset-sink.ts";
import { ParquetDatasetSink } from "../parquet/parquet-sink.ts";
import { listPostgresDatasets, runPostgresDatasetQuery } from "./postgres-query.ts";
import { PostgresDatasetSink } from "./postgres-sink.ts";
import { MixedDatasetQueryError, referencedDatasets, runQuery } from "./query-router.ts";
import { DatasetSinkRouter } from "./sink-router.ts";

const server = postgresServerUrl();

const schema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    score: { type: "number" },
    active: { type: "boolean" },
    updated: { type: "string", format: "date-time" },
    day: { type: "string", format: "date" },
    address: { type: "object", properties: { city: { type: "string" } } },
    tags: { type: "array", items: { type: "string" } },
  },
  required: ["id"],
};

const row = (id: number) => ({
  id,
  name: `n${id}`,
  score: id / 2,
  active: id % 2 === 0,
  updated: "2024-05-01T10:00:00Z",
  day: "2024-05-01",
  address: { city: `c${id}` },
  tags: ["a", `t${id}`],
});

describe.skipIf(server === undefined)("PostgresDatasetSink", () => {
  let db: FreshDatabase;
  let sink: PostgresDatasetSink;
  const datasetId = "65f0c0ffee0000000000aaaa";

  beforeAll(async () => {
    db = await freshDatabase(server as string);
    sink = new PostgresDatasetSink({ url: db.url });
  });
  afterAll(async () => {
    await sink?.close();
    await db?.drop();
  });

  const count = async (sql: string) => Number((await runPostgresDatasetQuery(db.url, sql)).rows[0]?.n);

  it("registers a dataset as an empty, typed view", async () => {
    await sink.registerDataset({ id: datasetId, schema });
    expect(await listPostgresDatasets(db.url)).toEqual([{ id: datasetId, schema }]);
    expect(await count(`SELECT count(*) AS n FROM ds_${datasetId}`)).toBe(0);
    const types = await runPostgresDatasetQuery(
      db.url,
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'inlet_datasets' AND table_name = 'ds_${datasetId}' ORDER BY ordinal_position`,
    );
    expect(types.rows.map((r) => `${r.column_name}:${r.data_type}`)).toEqual([
      "id:bigint",
      "name:text",
      "score:double precision",
      "active:boolean",
      "updated:timestamp with time zone",
      "day:date",
      "address:jsonb",
      "tags:jsonb",
    ]);
  });

  it("shows nothing before commit and the typed rows after", async () => {
    const writer = await sink.beginBatch({ id: datasetId, schema, batchId: "B1" });
    for (let i = 0; i < 1234; i++) await writer.write(row(i));
    await writer.write({ id: "not a number" });
    await writer.fail({ raw: true }, "mapping refused it");
    expect(writer.stats()).toEqual({ writtenRecordCount: 1234, failedRecordCount: 2 });
    expect(await count(`SELECT count(*) AS n FROM ds_${datasetId}`)).toBe(0);
    const result = await writer.commit();
    expect(result).toMatchObject({ writtenRecordCount: 1234, failedRecordCount: 2, files: [] });
    expect(result.outputBytes).toBeGreaterThan(0);
    expect(result.sampleErrors[0]?.reason).toMatch(/integer/);
    expect(await count(`SELECT count(*) AS n FROM ds_${datasetId}`)).toBe(1234);
    const one = await runPostgresDatasetQuery(
      db.url,
      `SELECT id, name, score, active, updated, day, address->>'city' AS city, tags FROM ds_${datasetId} WHERE id = 7`,
    );
    expect(one.rows).toEqual([
      {
        id: 7,
        name: "n7",
        score: 3.5,
        active: false,
        updated: "2024-05-01 10:00:00+00",
        day: "2024-05-01",
        city: "c7",
        tags: ["a", "t7"],
      },
    ]);
    const failed = await runPostgresDatasetQuery(
      db.url,
      `SELECT record_index, reason FROM ds_${datasetId}_failed ORDER BY record_index`,
    );
    expect(failed.rows.map((r) => r.reason)).toEqual([expect.stringMatching(/integer/), "mapping refused it"]);
  });

  it("replaces a batch committed again under the same id (a retried window)", async () => {
    const writer = await sink.beginBatch({ id: datasetId, schema, batchId: "B1" });
    for (let i = 0; i < 10; i++) await writer.write(row(10_000 + i));
    await writer.commit();
    expect(await count(`SELECT count(*) AS n FROM ds_${datasetId}`)).toBe(10);
    expect(await count(`SELECT count(*) AS n FROM ds_${datasetId}_failed`)).toBe(0);
    const other = await sink.beginBatch({ id: datasetId, schema, batchId: "B2" });
    await other.write(row(1));
    await other.commit();
    expect(await count(`SELECT count(*) AS n FROM ds_${datasetId}`)).toBe(11);
  });

  it("leaves nothing behind on abort", async () => {
    const writer = await sink.beginBatch({ id: datasetId, schema, batchId: "B3" });
    await writer.write(row(1));
    await writer.abort();
    expect(await count(`SELECT count(*) AS n FROM ds_${datasetId}`)).toBe(11);
    expect(await count(`SELECT count(*) AS n FROM inlet_datasets.s_${datasetId}`)).toBe(0);
    await expect(writer.write(row(2))).rejects.toBeInstanceOf(DatasetError);
  });

  it("refuses the commit of a writer superseded by a newer attempt of the same batch", async () => {
    const stale = await sink.beginBatch({ id: datasetId, schema, batchId: "B4" });
    await stale.write(row(1));
    const fresh = await sink.beginBatch({ id: datasetId, schema, batchId: "B4" });
    await fresh.write(row(2));
    await fresh.write(row(3));
    await fresh.commit();
    await expect(stale.commit()).rejects.toThrow(/another writer/);
    expect(await count(`SELECT count(*) AS n FROM ds_${datasetId} WHERE id IN (2, 3)`)).toBe(2);
    expect(await count(`SELECT count(*) AS n FROM inlet_datasets.t_${datasetId} WHERE _batch_id = 'B4'`)).toBe(2);
  });

  it("resumes a batch whose writer died: the rows staged up to its last checkpoint, then the rows after", async () => {
    const dataset = "65f0c0ffee00000000001111";
    const batch = { id: dataset, schema, batchId: "R1", resumable: true } as const;
    const dead = await sink.beginBatch(batch);
    for (let i = 0; i < 1250; i++) {
      if (i === 3) await dead.fail({ raw: i }, "mapping refused it");
      else await dead.write(row(i));
      if ((i + 1) % 100 === 0) await dead.checkpoint?.({ next: i + 1 });
    }
    // Rows are staged at the first checkpoint with 500 buffered (after 600 and 1100 records: record 3
    // failed); the 150 after the last are lost with the writer.
    expect(dead.durableMark?.()).toEqual({ next: 1100 });
    const other = new PostgresDatasetSink({ url: db.url }); // the worker that takes the run over
    try {
      const resumed = await other.beginBatch({ ...batch, resume: true });
      expect(resumed.resumed).toEqual({ mark: { next: 1100 }, writtenRecordCount: 1099, failedRecordCount: 1 });
      for (let i = 1100; i < 1300; i++) await resumed.write(row(i));
      const result = await resumed.commit();
      expect(result).toMatchObject({ writtenRecordCount: 1299, failedRecordCount: 1 });
      await expect(dead.commit()).rejects.toThrow(/another writer/);
    } finally {
      await other.close();
    }
    expect(await count(`SELECT count(*) AS n FROM ds_${dataset}`)).toBe(1299);
    expect(await count(`SELECT count(DISTINCT id) AS n FROM ds_${dataset}`)).toBe(1299);
    expect(await count(`SELECT max(id) AS n FROM ds_${dataset}`)).toBe(1299);
    expect(await count(`SELECT count(*) AS n FROM ds_${dataset}_failed`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM inlet_datasets.s_${dataset}`)).toBe(0);
  });

  it("starts a resumed batch over when nothing was checkpointed or the staging lost rows", async () => {
    const dataset = "65f0c0ffee00000000002222";
    const batch = { id: dataset, schema, batchId: "R2", resumable: true } as const;
    const dead = await sink.beginBatch(batch);
    for (let i = 0; i < 600; i++) await dead.write(row(i));
    await dead.checkpoint?.({ next: 600 });
    // A PostgreSQL crash empties UNLOGGED tables: the staged counts no longer match.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`DELETE FROM inlet_datasets.s_${dataset} WHERE id < 10`);
    await client.end();
    const again = await sink.beginBatch({ ...batch, resume: true });
    expect(again.resumed).toBeUndefined();
    await again.write(row(1));
    await again.commit();
    expect(await count(`SELECT count(*) AS n FROM ds_${dataset}`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM inlet_datasets.s_${dataset}`)).toBe(0);
  });

  it("commits concurrent batches of one dataset from several sinks (processes)", async () => {
    const sinks = [new PostgresDatasetSink({ url: db.url }), new PostgresDatasetSink({ url: db.url })];
    const id = "65f0c0ffee0000000000bbbb";
    await Promise.all(
      sinks.flatMap((s, n) =>
        [0, 1, 2].map(async (k) => {
          const writer = await s.beginBatch({ id, schema, batchId: `C${n}${k}` });
          for (let i = 0; i < 100; i++) await writer.write(row(i));
          await writer.commit();
        }),
      ),
    );
    await Promise.all(sinks.map((s) => s.close()));
    expect(await count(`SELECT count(*) AS n FROM ds_${id}`)).toBe(600);
  });

  it("adds columns when the schema grows, refuses a changed type and reserved or long names", async () => {
    const grown = { ...schema, properties: { ...schema.properties, extra: { type: "string" } } };
    await sink.registerDataset({ id: datasetId, schema: grown });
    const writer = await sink.beginBatch({ id: datasetId, schema: grown, batchId: "B5" });
    await writer.write({ ...row(5), extra: "x" });
    await writer.commit();
    expect(await count(`SELECT count(*) AS n FROM ds_${datasetId} WHERE extra = 'x'`)).toBe(1);
    const changed = { type: "object", properties: { id: { type: "string" } } };
    await expect(sink.registerDataset({ id: datasetId, schema: changed })).rejects.toThrow(/cannot become text/);
    await expect(
      sink.registerDataset({ id: "x1", schema: { type: "object", properties: { _batch_id: { type: "string" } } } }),
    ).rejects.toThrow(/reserved/);
    await expect(
      sink.registerDataset({
        id: "x2",
        schema: { type: "object", properties: { ["a".repeat(64)]: { type: "string" } } },
      }),
    ).rejects.toThrow(/63 bytes/);
  });

  it("removes a dataset with its tables", async () => {
    const id = "65f0c0ffee0000000000cccc";
    await sink.registerDataset({ id, schema });
    await sink.removeDataset(id);
    expect((await listPostgresDatasets(db.url)).map((d) => d.id)).not.toContain(id);
    await expect(runPostgresDatasetQuery(db.url, `SELECT * FROM ds_${id}`)).rejects.toThrow(/does not exist/);
  });

  it("runs queries read-only", async () => {
    await expect(runPostgresDatasetQuery(db.url, `DELETE FROM ds_${datasetId}`)).rejects.toThrow(/read-only/);
  });

  describe("routing", () => {
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), "inlet-router-"));
    });
    afterAll(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    it("sends each dataset to its sink and each query to the engine that holds its views", async () => {
      const parquet = new ParquetDatasetSink({ dataDir });
      const postgres = new PostgresDatasetSink({ url: db.url });
      const router = new DatasetSinkRouter(parquet, postgres);
      const onParquet = "65f0c0ffee0000000000dddd";
      const onPostgres = "65f0c0ffee0000000000eeee";
      const flat = { type: "object", properties: { id: { type: "integer" } } };
      await router.registerDataset({ id: onParquet, schema: flat });
      await router.registerDataset({ id: onPostgres, schema: flat, sink: "postgres" });
      for (const id of [onParquet, onPostgres]) {
        const writer = await router.beginBatch({ id, schema: flat, batchId: "R1" });
        await writer.write({ id: 1 });
        await writer.write({ id: 2 });
        await writer.commit();
      }
      const targets = { dataDir, datasetDatabaseUrl: db.url };
      const pgResult = await runQuery(targets, `SELECT count(*) AS n FROM ds_${onPostgres}`);
      expect(pgResult).toMatchObject({ engine: "postgres", rows: [{ n: 2 }] });
      const duckResult = await runQuery(targets, `SELECT count(*) AS n FROM ds_${onParquet}`);
      expect(duckResult).toMatchObject({ engine: "duckdb", rows: [{ n: 2 }] });
      await expect(
        runQuery(targets, `SELECT * FROM ds_${onParquet} JOIN ds_${onPostgres} USING (id)`),
      ).rejects.toBeInstanceOf(MixedDatasetQueryError);
      await router.removeDataset(onPostgres);
      expect(await postgres.hasDataset(onPostgres)).toBe(false);
      await router.close();
    });

    it("refuses a postgres dataset when no PostgreSQL sink is configured", async () => {
      const router = new DatasetSinkRouter(new ParquetDatasetSink({ dataDir }), undefined);
      await expect(
        router.registerDataset({
          id: "abc",
          schema: { type: "object", properties: { a: {} } },
          sink: "postgres",
        } as never),
      ).rejects.toThrow(/needs PostgreSQL/);
      await router.close();
    });
  });
});

describe("referencedDatasets", () => {
  it("finds the views a statement names, and only whole names", () => {
    const ids = ["aa11", "bb22", "aa1"];
    expect(referencedDatasets("select * from ds_aa11 join DS_BB22_failed using (x)", ids)).toEqual(["aa11", "bb22"]);
    expect(referencedDatasets('select * from "ds_aa1"', ids)).toEqual(["aa1"]);
    expect(referencedDatasets("select * from xds_aa11 or ds_aa11x", ids)).toEqual([]);
  });
});
