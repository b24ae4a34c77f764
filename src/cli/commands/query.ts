import type { Command } from "commander";
import { parseConfig } from "../../config.ts";
import { formatTable } from "../../datasets/format-table.ts";
import { runDatasetQuery } from "../../datasets/query.ts";
import { type CliContext, UsageError } from "../context.ts";

export function registerQuery(program: Command, ctx: CliContext): void {
  program
    .command("query <sql>")
    .description("run DuckDB SQL over the datasets; each dataset is the view ds_<datasetId>")
    .option("--json", "print the rows as a JSON array")
    .option("--data-dir <dir>", "data directory (INLET_DATA_DIR)")
    .action(async (sql: string, options: { json?: boolean; dataDir?: string }) => {
      const { dataDir } = parseConfig({ dataDir: options.dataDir });
      const result = await runDatasetQuery(dataDir, sql).catch((error: unknown) => {
        // DuckDB's parser and binder errors describe the user's SQL: report them as bad input.
        throw new UsageError(`query failed: ${(error as Error).message}`);
      });
      ctx.stdout.write(options.json ? `${JSON.stringify(result.rows, null, 2)}\n` : `${formatTable(result)}\n`);
    });
}
