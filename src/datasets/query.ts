import { readdir, readFile } from "node:fs/promises";
import {
  DuckDBInstance,
  DuckDBTypeId,
  type DuckDBValueConverter,
  type Json,
  JsonDuckDBValueConverter,
} from "@duckdb/node-api";
import { assertSafeId, type JsonSchema } from "./dataset-sink.ts";
import { datasetLayout } from "./layout.ts";
import { columnTypes, quoteIdentifier, quoteLiteral } from "./parquet/column-types.ts";

export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<Record<string, unknown>>;
}

export const datasetViewName = (datasetId: string) => `ds_${datasetId}`;

/**
 * Runs SQL over every dataset under `<dataDir>/datasets`, each visible as the view `ds_<id>` over
 * its committed batches. A dataset with no batches yet gets an empty view typed from its schema,
 * so queries written before the first run still bind. Values come back JSON-safe: 64-bit integers
 * as numbers when they fit exactly (DuckDB's JSON converter always gives strings), timestamps as text.
 */
export async function runDatasetQuery(dataDir: string, sql: string): Promise<QueryResult> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    for (const dataset of await listDatasets(dataDir)) {
      await connection.run(await viewSql(dataDir, dataset.id, dataset.schema));
    }
    const reader = await connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.convertRowObjects(jsonWithSafeIntegers) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function listDatasets(dataDir: string): Promise<Array<{ id: string; schema: JsonSchema }>> {
  const ids = await readdir(datasetLayout.root(dataDir)).catch(() => [] as string[]);
  const datasets: Array<{ id: string; schema: JsonSchema }> = [];
  for (const id of ids.sort()) {
    const text = await readFile(datasetLayout.schemaFile(dataDir, id), "utf8").catch(() => undefined);
    if (text !== undefined) datasets.push({ id, schema: JSON.parse(text) as JsonSchema });
  }
  return datasets;
}

async function viewSql(dataDir: string, id: string, schema: JsonSchema): Promise<string> {
  assertSafeId(id, "dataset id");
  const view = quoteIdentifier(datasetViewName(id));
  const batches = await readdir(datasetLayout.batches(dataDir, id)).catch(() => [] as string[]);
  if (batches.length > 0) {
    const glob = quoteLiteral(datasetLayout.parquetGlob(dataDir, id));
    return `CREATE VIEW ${view} AS SELECT * FROM read_parquet(${glob}, union_by_name = true)`;
  }
  const columns = columnTypes(schema).map(([name, type]) => `CAST(NULL AS ${type}) AS ${quoteIdentifier(name)}`);
  return `CREATE VIEW ${view} AS SELECT ${columns.join(", ")} WHERE false`;
}

const wideIntegerTypes: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
]);

const jsonWithSafeIntegers: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (typeof value === "bigint" && wideIntegerTypes.has(type.typeId)) {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : String(value);
  }
  return JsonDuckDBValueConverter(value, type, converter);
};
