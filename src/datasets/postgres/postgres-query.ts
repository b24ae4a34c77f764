/**
 * `inlet query` over PostgreSQL datasets. DuckDB cannot attach PostgreSQL here (its postgres
 * extension is downloaded at run time, which fails offline), so SQL naming PostgreSQL datasets runs
 * on PostgreSQL itself, where each dataset is the view `ds_<id>` (and `ds_<id>_failed`) in the
 * schema `inlet_datasets`, first on the search path. The statement runs in a READ ONLY transaction
 * that is rolled back. Values come back JSON-safe like the DuckDB path's: 64-bit integers and
 * numerics as numbers when exact, timestamps as text (UTC), jsonb as JSON.
 */
import pg from "pg";
import type { JsonSchema } from "../dataset-sink.ts";
import { datasetSchemaName } from "./postgres-sink.ts";

export interface PostgresQueryResult {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<Record<string, unknown>>;
}

const { builtins } = pg.types;
const textTypes = new Set<number>([builtins.TIMESTAMPTZ, builtins.TIMESTAMP, builtins.DATE, builtins.TIME]);

function getTypeParser(...[oid, format]: Parameters<typeof pg.types.getTypeParser>): (text: string) => unknown {
  if (format === "binary") return pg.types.getTypeParser(oid, format);
  if (oid === builtins.INT8) return (text) => exactNumber(text);
  if (oid === builtins.NUMERIC) return (text) => exactNumber(text);
  if (textTypes.has(oid)) return (text) => text;
  return pg.types.getTypeParser(oid, format);
}

/** A number when the text survives the round trip through a double, else the text. */
function exactNumber(text: string): number | string {
  const value = Number(text);
  if (!Number.isFinite(value)) return text;
  if (/^-?\d+$/.test(text)) return Number.isSafeInteger(value) ? value : text;
  return value;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, types: { getTypeParser } });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Every dataset the PostgreSQL sink holds in that database (none when the sink was never used there). */
export async function listPostgresDatasets(url: string): Promise<Array<{ id: string; schema: JsonSchema }>> {
  return withClient(url, async (client) => {
    const exists = await client.query("SELECT to_regclass($1) AS name", [`${datasetSchemaName}.datasets`]);
    if (exists.rows[0]?.name === null) return [];
    const rows = await client.query<{ id: string; schema: JsonSchema }>(
      `SELECT id, schema FROM ${datasetSchemaName}.datasets ORDER BY id`,
    );
    return rows.rows.map((row) => ({ id: row.id, schema: row.schema }));
  });
}

export async function runPostgresDatasetQuery(url: string, sql: string): Promise<PostgresQueryResult> {
  return withClient(url, async (client) => {
    await client.query("BEGIN READ ONLY");
    try {
      await client.query(`SET LOCAL search_path = ${datasetSchemaName}, public`);
      await client.query("SET LOCAL TimeZone = 'UTC'");
      const result = await client.query(sql);
      // A multi-statement text answers an array of results: show the last, as psql does.
      const last = Array.isArray(result) ? (result.at(-1) as pg.QueryResult) : result;
      return { columns: (last.fields ?? []).map((f) => f.name), rows: last.rows ?? [] };
    } finally {
      await client.query("ROLLBACK").catch(() => undefined);
    }
  });
}
