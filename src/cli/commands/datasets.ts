import type { Command } from "commander";
import { parseConfig } from "../../config.ts";
import { assertSafeId } from "../../datasets/dataset-sink.ts";
import { formatTable } from "../../datasets/format-table.ts";
import { listPostgresDatasets } from "../../datasets/postgres/postgres-query.ts";
import { runQuery } from "../../datasets/postgres/query-router.ts";
import { datasetViewName, listDatasets } from "../../datasets/query.ts";
import { type CliContext, UsageError } from "../context.ts";

export function registerDatasets(program: Command, ctx: CliContext): void {
  const datasets = program.command("datasets").description("inspect the datasets flow runs write to");
  datasets
    .command("preview <id>")
    .description("print the first rows of a dataset as a table")
    .option("--limit <n>", "how many rows", "10")
    .option("--data-dir <dir>", "data directory (INLET_DATA_DIR)")
    .option(
      "--database-url <url>",
      "postgres://… holding postgres datasets (INLET_DATABASE_URL / INLET_DATASET_DATABASE_URL)",
    )
    .action(async (id: string, options: { limit: string; dataDir?: string; databaseUrl?: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        throw new UsageError("--limit must be an integer from 1 to 10000");
      }
      try {
        assertSafeId(id, "dataset id");
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const { dataDir, datasetDatabaseUrl } = parseConfig({
        dataDir: options.dataDir,
        databaseUrl: options.databaseUrl,
      });
      const known = [
        ...(await listDatasets(dataDir)),
        ...(datasetDatabaseUrl === undefined ? [] : await listPostgresDatasets(datasetDatabaseUrl)),
      ];
      if (!known.some((d) => d.id === id)) throw new UsageError(`no dataset "${id}" in ${dataDir}`);
      // The same router as `inlet query`: Parquet datasets on DuckDB, postgres datasets on PostgreSQL.
      const result = await runQuery(
        { dataDir, datasetDatabaseUrl },
        `SELECT * FROM "${datasetViewName(id)}" LIMIT ${limit}`,
      );
      ctx.stdout.write(`${formatTable(result)}\n`);
    });
}
