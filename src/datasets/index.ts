export * from "./dataset-sink.ts";
export { formatTable } from "./format-table.ts";
export { datasetLayout } from "./layout.ts";
export { ParquetDatasetSink, type ParquetSinkOptions } from "./parquet/parquet-sink.ts";
export { datasetViewName, listDatasets, type QueryResult, runDatasetQuery } from "./query.ts";
