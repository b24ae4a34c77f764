import path from "node:path";

/**
 * The on-disk layout, shared by the sink and the query side:
 * `<dataDir>/datasets/<id>/schema.json`, `batches/<batchId>/part-*.parquet` (+ failed-records.jsonl),
 * `.staging/` for batches being written (same filesystem, so commit is a rename).
 */
export const datasetLayout = {
  root: (dataDir: string) => path.join(dataDir, "datasets"),
  dataset: (dataDir: string, id: string) => path.join(dataDir, "datasets", id),
  schemaFile: (dataDir: string, id: string) => path.join(dataDir, "datasets", id, "schema.json"),
  batches: (dataDir: string, id: string) => path.join(dataDir, "datasets", id, "batches"),
  batch: (dataDir: string, id: string, batchId: string) => path.join(dataDir, "datasets", id, "batches", batchId),
  staging: (dataDir: string, id: string) => path.join(dataDir, "datasets", id, ".staging"),
  parquetGlob: (dataDir: string, id: string) => path.join(dataDir, "datasets", id, "batches", "*", "*.parquet"),
  failedRecordsFileName: "failed-records.jsonl",
} as const;
