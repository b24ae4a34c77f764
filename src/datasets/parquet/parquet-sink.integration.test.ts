import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DatasetError } from "../dataset-sink.ts";
import { datasetLayout } from "../layout.ts";
import { runDatasetQuery } from "../query.ts";
import { ParquetDatasetSink, type ParquetSinkOptions } from "./parquet-sink.ts";

const schema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    score: { type: "number" },
    active: { type: "boolean" },
    seenAt: { type: "string", format: "date-time" },
    address: {
      type: "object",
      properties: { city: { type: "string" }, geo: { type: "object", properties: { lat: { type: "number" } } } },
    },
    tags: { type: "array", items: { type: "string" } },
    orders: {
      type: "array",
      items: { type: "object", properties: { sku: { type: "string" }, qty: { type: "integer" } } },
    },
  },
  required: ["id"],
} as const;

const record = (id: number) => ({
  id,
  name: `n${id}`,
  score: id / 2,
  active: id % 2 === 0,
  seenAt: "2024-03-01T10:00:00+02:00",
  address: { city: "Basel", geo: { lat: 47.5 } },
  tags: ["a", "b"],
  orders: [{ sku: "x", qty: id }],
});

const sinks: ParquetDatasetSink[] = [];
function newSink(options: Omit<ParquetSinkOptions, "dataDir"> = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "inlet-ds-"));
  const sink = new ParquetDatasetSink({ dataDir, ...options });
  sinks.push(sink);
  return { dataDir, sink };
}

/** Parts roll at 1 MiB at the least; 15,000 test records (~2.6 MB of JSONL) make three. */
const smallParts = { partBytes: 1024 * 1024 } as const;
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close();
});

describe("ParquetDatasetSink", () => {
  it("round-trips nested structs, lists and timestamps through Parquet and the query view", async () => {
    const { dataDir, sink } = newSink();
    const writer = await sink.beginBatch({ id: "people", batchId: "b1", schema });
    await writer.write(record(1));
    await writer.write(record(2));
    const result = await writer.commit();
    expect(result).toMatchObject({ writtenRecordCount: 2, failedRecordCount: 0, failedRecordsFile: undefined });
    expect(result.files).toEqual([path.join(datasetLayout.batch(dataDir, "people", "b1"), "part-0.parquet")]);
    expect(result.outputBytes).toBeGreaterThan(0);

    const types = await runDatasetQuery(dataDir, "SELECT column_name, column_type FROM (DESCRIBE ds_people)");
    expect(Object.fromEntries(types.rows.map((r) => [r.column_name, r.column_type]))).toMatchObject({
      id: "BIGINT",
      score: "DOUBLE",
      active: "BOOLEAN",
      seenAt: "TIMESTAMP WITH TIME ZONE",
      address: "STRUCT(city VARCHAR, geo STRUCT(lat DOUBLE))",
      tags: "VARCHAR[]",
      orders: "STRUCT(sku VARCHAR, qty BIGINT)[]",
    });
    const rows = await runDatasetQuery(
      dataDir,
      "SELECT id, address.geo.lat AS lat, tags[2] AS tag, orders[1].qty AS qty, epoch(seenAt) AS t FROM ds_people ORDER BY id",
    );
    expect(rows.rows).toEqual([
      { id: 1, lat: 47.5, tag: "b", qty: 1, t: Date.parse("2024-03-01T08:00:00Z") / 1000 },
      { id: 2, lat: 47.5, tag: "b", qty: 2, t: Date.parse("2024-03-01T08:00:00Z") / 1000 },
    ]);
  });

  it("keeps records failing the schema out of the data, with reasons beside the batch", async () => {
    const { dataDir, sink } = newSink();
    const writer = await sink.beginBatch({ id: "people", batchId: "b1", schema });
    await writer.write(record(1));
    await writer.write({ ...record(2), id: "2" }); // a string is not coerced to an integer
    await writer.write({ ...record(3), seenAt: "yesterday" });
    await writer.fail({ raw: 4 }, "mapping: source attribute missing");
    expect(writer.stats()).toEqual({ writtenRecordCount: 1, failedRecordCount: 3 });
    const result = await writer.commit();
    expect(result.sampleErrors).toEqual([
      { recordIndex: 1, reason: "/id must be integer" },
      { recordIndex: 2, reason: '/seenAt must match format "date-time"' },
      { recordIndex: 3, reason: "mapping: source attribute missing" },
    ]);
    const lines = readFileSync(result.failedRecordsFile as string, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.record.id ?? l.record.raw)).toEqual(["2", 3, 4]);
    expect((await runDatasetQuery(dataDir, "SELECT count(*) AS n FROM ds_people")).rows).toEqual([{ n: 1 }]);
  });

  it("leaves nothing visible after abort, and an empty typed view for the dataset", async () => {
    const { dataDir, sink } = newSink();
    const writer = await sink.beginBatch({ id: "people", batchId: "b1", schema });
    await writer.write(record(1));
    await writer.abort();
    expect(readdirSync(datasetLayout.batches(dataDir, "people"))).toEqual([]);
    expect(readdirSync(datasetLayout.staging(dataDir, "people"))).toEqual([]);
    const result = await runDatasetQuery(
      dataDir,
      "SELECT count(*) AS n, typeof(any_value(address)) AS t FROM ds_people",
    );
    expect(result.rows).toEqual([{ n: 0, t: "STRUCT(city VARCHAR, geo STRUCT(lat DOUBLE))" }]);
    await expect(writer.write(record(2))).rejects.toThrow(DatasetError);
  });

  it("replaces a batch committed again under the same id (a retried window)", async () => {
    const { dataDir, sink } = newSink();
    for (const ids of [
      [1, 2, 3],
      [1, 2],
    ]) {
      const writer = await sink.beginBatch({ id: "people", batchId: "w-2024-01-01", schema });
      for (const id of ids) await writer.write(record(id));
      await writer.commit();
    }
    const other = await sink.beginBatch({ id: "people", batchId: "w-2024-01-02", schema });
    await other.write(record(9));
    await other.commit();
    const result = await runDatasetQuery(dataDir, "SELECT list(id ORDER BY id) AS ids FROM ds_people");
    expect(result.rows).toEqual([{ ids: [1, 2, 9] }]);
    expect(readdirSync(datasetLayout.staging(dataDir, "people"))).toEqual([]);
  });

  it("removes a dataset's schema and batches, so queries no longer see it", async () => {
    const { dataDir, sink } = newSink();
    const writer = await sink.beginBatch({ id: "gone", batchId: "b1", schema });
    await writer.write(record(1));
    await writer.commit();
    await sink.registerDataset({ id: "kept", schema });
    await sink.removeDataset("gone");
    expect(existsSync(datasetLayout.dataset(dataDir, "gone"))).toBe(false);
    const views = await runDatasetQuery(dataDir, "SELECT view_name FROM duckdb_views() WHERE NOT internal");
    expect(views.rows).toEqual([{ view_name: "ds_kept" }]);
    await sink.removeDataset("never-existed"); // nothing to remove is not an error
    await expect(sink.removeDataset("../x")).rejects.toMatchObject({ code: "datasetIdInvalid" });
  });

  it("refuses unsafe dataset ids and schemas without columns", async () => {
    const { dataDir, sink } = newSink();
    await expect(sink.beginBatch({ id: "../x", batchId: "b", schema })).rejects.toMatchObject({
      code: "datasetIdInvalid",
    });
    await expect(sink.beginBatch({ id: "x", batchId: "b", schema: { type: "object" } })).rejects.toMatchObject({
      code: "schemaUnsupported",
    });
    expect(existsSync(datasetLayout.dataset(dataDir, "x"))).toBe(false);
  });

  it("writes 200,000 records with bounded memory", async () => {
    const { dataDir, sink } = newSink();
    const count = 200_000;
    const started = performance.now();
    let peakRss = process.memoryUsage().rss;
    const baseline = peakRss;
    const writer = await sink.beginBatch({ id: "bulk", batchId: "b1", schema });
    for (let i = 0; i < count; i++) {
      await writer.write(record(i));
      if (i % 20_000 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const result = await writer.commit();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `parquet sink: ${count} records in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)} records/s, ` +
        `${(result.outputBytes / 1e6).toFixed(1)} MB parquet, rss +${((peakRss - baseline) / 1e6).toFixed(0)} MB`,
    );
    expect(result.writtenRecordCount).toBe(count);
    expect((await runDatasetQuery(dataDir, "SELECT count(*) AS n, sum(id) AS s FROM ds_bulk")).rows).toEqual([
      { n: count, s: (count * (count - 1)) / 2 },
    ]);
    // The records are ~60 MB as JSON; holding them all would show far above this.
    expect(peakRss - baseline).toBeLessThan(400e6);
  }, 120_000);

  it("converts the staged JSONL part by part, keeping record order, and leaves no JSONL behind", async () => {
    const { dataDir, sink } = newSink(smallParts);
    const writer = await sink.beginBatch({ id: "parts", batchId: "b1", schema });
    for (let i = 0; i < 15_000; i++) {
      const pending = writer.write(record(i));
      if (pending !== undefined) await pending;
    }
    const result = await writer.commit();
    const batchDir = datasetLayout.batch(dataDir, "parts", "b1");
    expect(result.files).toEqual([0, 1, 2].map((n) => path.join(batchDir, `part-${n}.parquet`)));
    expect(readdirSync(batchDir).sort()).toEqual(["part-0.parquet", "part-1.parquet", "part-2.parquet"]);
    const rows = await runDatasetQuery(
      dataDir,
      "SELECT count(*) AS n, count(DISTINCT id) AS d, bool_and(id = rn - 1) AS ordered " +
        "FROM (SELECT id, row_number() OVER () AS rn FROM read_parquet(" +
        `[${result.files.map((f) => `'${f}'`).join(", ")}]))`,
    );
    expect(rows.rows).toEqual([{ n: 15_000, d: 15_000, ordered: true }]);
  });

  it("writes a record larger than the encoding buffer and than read_json's default object size", async () => {
    const { dataDir, sink } = newSink();
    const writer = await sink.beginBatch({ id: "big", batchId: "b1", schema });
    const huge = "x".repeat(17 * 1024 * 1024); // over 16 MiB, read_json's default maximum_object_size
    await writer.write(record(1));
    await writer.write({ ...record(2), name: huge });
    await writer.write(record(3));
    const result = await writer.commit();
    expect(result.writtenRecordCount).toBe(3);
    const rows = await runDatasetQuery(dataDir, "SELECT id, length(name) AS len FROM ds_big ORDER BY id");
    expect(rows.rows).toEqual([
      { id: 1, len: 2 },
      { id: 2, len: huge.length },
      { id: 3, len: 2 },
    ]);
  });

  it("fails a record DuckDB could not convert, alone: integers past 2^53, leap seconds, a lowercase t or z", async () => {
    const { dataDir, sink } = newSink();
    const writer = await sink.beginBatch({ id: "odd", batchId: "b1", schema });
    await writer.write(record(1));
    await writer.write({ ...record(2), id: 1e20 });
    await writer.write({ ...record(3), orders: [{ sku: "x", qty: -(2 ** 63) }] });
    await writer.write({ ...record(4), seenAt: "2016-12-31T23:59:60Z" });
    await writer.write({ ...record(5), seenAt: "2024-01-01t00:00:00z" });
    const result = await writer.commit();
    expect(result).toMatchObject({ writtenRecordCount: 1, failedRecordCount: 4 });
    expect(result.sampleErrors.map((e) => e.reason)).toEqual([
      "/id must be <= 9007199254740991",
      "/orders/0/qty must be >= -9007199254740991",
      '/seenAt must match format "date-time"',
      '/seenAt must match format "date-time"',
    ]);
    const rows = await runDatasetQuery(dataDir, "SELECT id FROM ds_odd");
    expect(rows.rows).toEqual([{ id: 1 }]);
  });

  it("fails the batch when a part does not convert, surfacing it by the next write or the commit, and leaves nothing", async () => {
    // A DuckDB memory limit far below what a 1 MiB part needs makes its conversion fail.
    const { dataDir, sink } = newSink({ ...smallParts, memoryLimit: "1MB" });
    const writer = await sink.beginBatch({ id: "bad", batchId: "b1", schema });
    let failure: unknown;
    try {
      for (let i = 0; i < 20_000; i++) {
        const pending = writer.write(record(i));
        if (pending !== undefined) await pending;
      }
      await writer.commit();
    } catch (error) {
      failure = error;
      await writer.abort();
    }
    expect(String(failure)).toMatch(/memory/i);
    expect(readdirSync(datasetLayout.batches(dataDir, "bad"))).toEqual([]);
    expect(readdirSync(datasetLayout.staging(dataDir, "bad"))).toEqual([]);
  });

  it("aborts while a part is converting and leaves nothing behind", async () => {
    const { dataDir, sink } = newSink(smallParts);
    const writer = await sink.beginBatch({ id: "gone", batchId: "b1", schema });
    for (let i = 0; i < 12_000; i++) {
      const pending = writer.write(record(i));
      if (pending !== undefined) await pending;
    }
    await writer.abort();
    expect(readdirSync(datasetLayout.batches(dataDir, "gone"))).toEqual([]);
    expect(readdirSync(datasetLayout.staging(dataDir, "gone"))).toEqual([]);
    await expect(writer.commit()).rejects.toMatchObject({ code: "batchClosed" });
  });

  it("resumes a batch whose writer died: the parts up to its last checkpoint, then the records after", async () => {
    const { dataDir, sink } = newSink(smallParts);
    const batch = { id: "people", batchId: "b1", schema, resumable: true } as const;
    const first = await sink.beginBatch(batch);
    const pageSize = 1000;
    for (let id = 0; id < 13_500; id++) {
      if (id === 5) await first.fail({ id }, "mapping refused it");
      else await first.write(record(id));
      if ((id + 1) % pageSize === 0) await first.checkpoint?.({ next: id + 1 });
    }
    // The process dies: nothing is aborted. Wait for the checkpointed parts to convert.
    for (let i = 0; i < 100 && (first.durableMark?.() as { next: number } | undefined)?.next !== 12_000; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(first.durableMark?.()).toEqual({ next: 12_000 });

    const second = await sink.beginBatch({ ...batch, resume: true });
    expect(second.resumed).toEqual({ mark: { next: 12_000 }, writtenRecordCount: 11_999, failedRecordCount: 1 });
    for (let id = 12_000; id < 15_000; id++) {
      if (id === 12_001) await second.fail({ id }, "mapping refused it too");
      else await second.write(record(id));
    }
    const result = await second.commit();
    expect(result).toMatchObject({ writtenRecordCount: 14_998, failedRecordCount: 2 });
    const folder = datasetLayout.batch(dataDir, "people", "b1");
    expect(readdirSync(folder).filter((f) => !f.endsWith(".parquet"))).toEqual([datasetLayout.failedRecordsFileName]);
    const failures = readFileSync(path.join(folder, datasetLayout.failedRecordsFileName), "utf8").trim().split("\n");
    expect(failures.map((line) => (JSON.parse(line) as { record: { id: number } }).record.id)).toEqual([5, 12_001]);
    const counts = await runDatasetQuery(
      dataDir,
      "SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d, min(id)::INTEGER AS lo, max(id)::INTEGER AS hi FROM ds_people",
    );
    expect(counts.rows).toEqual([{ n: 14_998, d: 14_998, lo: 0, hi: 14_999 }]);
    expect(readdirSync(datasetLayout.staging(dataDir, "people"))).toEqual([]);
  });

  it("starts a resumed batch empty when its dead writer left no checkpoint", async () => {
    const { dataDir, sink } = newSink(smallParts);
    const batch = { id: "people", batchId: "b2", schema, resumable: true } as const;
    const first = await sink.beginBatch(batch);
    for (let id = 0; id < 100; id++) await first.write(record(id));
    await first.checkpoint?.({ next: 100 }); // far below a part: nothing durable
    const second = await sink.beginBatch({ ...batch, resume: true });
    expect(second.resumed).toBeUndefined();
    await second.write(record(7));
    await second.commit();
    const counts = await runDatasetQuery(dataDir, "SELECT count(*)::INTEGER AS n FROM ds_people");
    expect(counts.rows).toEqual([{ n: 1 }]);
  });

  it("takes records it can vouch for as their JSON text, the same rows as write(), and declines the rest", async () => {
    const { dataDir: byText, sink } = newSink();
    const textual = await sink.beginBatch({ id: "people", batchId: "b1", schema });
    const { dataDir: byObject, sink: other } = newSink();
    const parsed = await other.beginBatch({ id: "people", batchId: "b1", schema });
    // Extra members (top level and nested) are carried in the text; the columns ignore them.
    const texts = [1, 2, 3].map((id) =>
      JSON.stringify({ ...record(id), extra: { x: id }, address: { city: "Bern", zip: 1 } }),
    );
    for (const text of texts) expect(textual.writeJson?.(Buffer.from(text))).toBeUndefined();
    for (const text of texts) {
      const { extra: _extra, ...row } = JSON.parse(text) as Record<string, unknown>;
      await parsed.write(row);
    }
    // Declined, nothing written: a wrong type, a missing required member, an integer spelled 1.0.
    for (const text of ['{"id":"x"}', '{"name":"no id"}', '{"id":1.0}']) {
      expect(textual.writeJson?.(Buffer.from(text))).toBe(false);
    }
    expect(textual.stats()).toEqual({ writtenRecordCount: 3, failedRecordCount: 0 });
    await textual.commit();
    await parsed.commit();
    const query = "SELECT * EXCLUDE (seenAt), epoch(seenAt) AS t FROM ds_people ORDER BY id";
    const rows = (await runDatasetQuery(byText, query)).rows;
    expect(rows).toHaveLength(3);
    expect(rows).toEqual((await runDatasetQuery(byObject, query)).rows);
  });
});
