/**
 * Where `inlet query` runs a statement: on DuckDB over the Parquet datasets of the data dir, or on
 * PostgreSQL over the PostgreSQL datasets (postgres-query.ts). The views a statement names decide;
 * a statement naming datasets of both kinds is refused, since neither engine can read the other's
 * data here (DuckDB's postgres extension cannot be installed offline).
 */
import { listDatasets, type QueryResult, runDatasetQuery } from "../query.ts";
import { listPostgresDatasets, runPostgresDatasetQuery } from "./postgres-query.ts";

export interface QueryTargets {
  readonly dataDir: string;
  /** The database of the PostgreSQL sink, when there is one. */
  readonly datasetDatabaseUrl?: string | undefined;
}

export class MixedDatasetQueryError extends Error {
  override readonly name = "MixedDatasetQueryError";
}

/** The dataset ids whose views (`ds_<id>`, `ds_<id>_failed`) a statement names. */
export function referencedDatasets(sql: string, ids: readonly string[]): string[] {
  const lower = sql.toLowerCase();
  return ids.filter((id) => {
    // Ids are letters, digits, "_" and "-" (assertSafeId): nothing to escape but "-", which is literal here.
    const view = new RegExp(`(^|[^a-z0-9_$])ds_${id.toLowerCase()}(_failed)?(?![a-z0-9_$])`);
    return view.test(lower);
  });
}

export async function runQuery(targets: QueryTargets, sql: string): Promise<QueryResult & { engine: string }> {
  const postgresIds =
    targets.datasetDatabaseUrl === undefined
      ? []
      : (await listPostgresDatasets(targets.datasetDatabaseUrl)).map((d) => d.id);
  const onPostgres = referencedDatasets(sql, postgresIds);
  if (onPostgres.length === 0 || targets.datasetDatabaseUrl === undefined) {
    return { ...(await runDatasetQuery(targets.dataDir, sql)), engine: "duckdb" };
  }
  const parquetIds = (await listDatasets(targets.dataDir)).map((d) => d.id).filter((id) => !postgresIds.includes(id));
  const onParquet = referencedDatasets(sql, parquetIds);
  if (onParquet.length > 0) {
    throw new MixedDatasetQueryError(
      `the statement names PostgreSQL datasets (${onPostgres.join(", ")}) and Parquet datasets ` +
        `(${onParquet.join(", ")}); a query over both kinds is not supported: query each kind on its own`,
    );
  }
  return { ...(await runPostgresDatasetQuery(targets.datasetDatabaseUrl, sql)), engine: "postgres" };
}
