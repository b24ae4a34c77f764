/**
 * The DatasetSink the server and workers use: each dataset says which sink holds it
 * (`sink: "parquet" | "postgres"`, Parquet by default), and the router sends its registration,
 * batches and removal there. A batch that names no sink goes where its dataset was registered:
 * PostgreSQL when the PostgreSQL sink knows the dataset, else Parquet.
 */
import {
  type BatchWriter,
  type BeginBatch,
  type DatasetDefinition,
  DatasetError,
  type DatasetSink,
} from "../dataset-sink.ts";
import type { PostgresDatasetSink } from "./postgres-sink.ts";

export const datasetSinkKinds = ["parquet", "postgres"] as const;
export type DatasetSinkKind = (typeof datasetSinkKinds)[number];

export function isDatasetSinkKind(value: unknown): value is DatasetSinkKind {
  return typeof value === "string" && (datasetSinkKinds as readonly string[]).includes(value);
}

function sinkOf(definition: DatasetDefinition): DatasetSinkKind | undefined {
  return isDatasetSinkKind(definition.sink) ? definition.sink : undefined;
}

export class DatasetSinkRouter implements DatasetSink {
  constructor(
    private readonly parquet: DatasetSink,
    private readonly postgres: PostgresDatasetSink | undefined,
  ) {}

  /** Whether datasets may ask for the PostgreSQL sink in this process. */
  get postgresAvailable(): boolean {
    return this.postgres !== undefined;
  }

  async registerDataset(dataset: DatasetDefinition): Promise<void> {
    await (await this.#route(dataset, false)).registerDataset(dataset);
  }

  async beginBatch(batch: BeginBatch): Promise<BatchWriter> {
    return (await this.#route(batch, true)).beginBatch(batch);
  }

  async removeDataset(id: string): Promise<void> {
    await this.parquet.removeDataset(id);
    await this.postgres?.removeDataset(id);
  }

  async close(): Promise<void> {
    await this.parquet.close();
    await this.postgres?.close();
  }

  async #route(definition: DatasetDefinition, lookUp: boolean): Promise<DatasetSink> {
    const named = sinkOf(definition);
    if (named === "postgres" || (named === undefined && lookUp && (await this.postgres?.hasDataset(definition.id)))) {
      if (this.postgres === undefined) {
        throw new DatasetError(
          "schemaUnsupported",
          'the "postgres" dataset sink needs PostgreSQL: run on a PostgreSQL metadata store or set INLET_DATASET_DATABASE_URL',
        );
      }
      return this.postgres;
    }
    return this.parquet;
  }
}
