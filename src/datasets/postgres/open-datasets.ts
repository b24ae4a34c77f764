import { ParquetDatasetSink } from "../parquet/parquet-sink.ts";
import { PostgresDatasetSink } from "./postgres-sink.ts";
import { DatasetSinkRouter } from "./sink-router.ts";

/**
 * The dataset sink of a server or worker process: Parquet files under the data dir, plus the
 * PostgreSQL sink when there is a dataset database (INLET_DATASET_DATABASE_URL, or the metadata
 * store's PostgreSQL); each dataset says which holds it.
 */
export function openDatasetSink(options: {
  readonly dataDir: string;
  readonly datasetDatabaseUrl: string | undefined;
}): DatasetSinkRouter {
  const postgres =
    options.datasetDatabaseUrl === undefined ? undefined : new PostgresDatasetSink({ url: options.datasetDatabaseUrl });
  return new DatasetSinkRouter(new ParquetDatasetSink({ dataDir: options.dataDir }), postgres);
}
