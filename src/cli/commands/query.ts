import type { Command } from "commander";
import { parseConfig } from "../../config.ts";
import { formatTable } from "../../datasets/format-table.ts";
import { runQuery } from "../../datasets/postgres/query-router.ts";
import { type CliContext, UsageError } from "../context.ts";

export function registerQuery(program: Command, ctx: CliContext): void {
  program
    .command("query <sql>")
    .description(
      "run SQL over the datasets; each dataset is the view ds_<datasetId> (DuckDB for Parquet datasets, " +
        "PostgreSQL for postgres datasets; one statement cannot mix the two kinds)",
    )
    .option("--json", "print the rows as a JSON array")
    .option("--data-dir <dir>", "data directory (INLET_DATA_DIR)")
    .option(
      "--database-url <url>",
      "postgres://… holding postgres datasets (INLET_DATABASE_URL / INLET_DATASET_DATABASE_URL)",
    )
    .action(async (sql: string, options: { json?: boolean; dataDir?: string; databaseUrl?: string }) => {
      const { dataDir, datasetDatabaseUrl } = parseConfig({
        dataDir: options.dataDir,
        databaseUrl: options.databaseUrl,
      });
      const result = await runQuery({ dataDir, datasetDatabaseUrl }, sql).catch((error: unknown) => {
        // Parser and binder errors (DuckDB's or PostgreSQL's), and a statement mixing both kinds of
        // datasets, describe the user's SQL: report them as bad input.
        throw new UsageError(`query failed: ${(error as Error).message}`);
      });
      ctx.stdout.write(options.json ? `${JSON.stringify(result.rows, null, 2)}\n` : `${formatTable(result)}\n`);
    });
}
