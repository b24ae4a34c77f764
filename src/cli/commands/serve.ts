import type { Command } from "commander";
import { parseConfig } from "../../config.ts";
import { startServer } from "../../runtime/start-server.ts";
import type { CliContext } from "../context.ts";

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command("serve")
    .description("run the Flow Service API and its dataflow runner until SIGINT or SIGTERM")
    .option("--port <port>", "port to listen on (INLET_PORT, default 8080)")
    .option("--host <host>", "address to bind (INLET_HOST, default 127.0.0.1)")
    .option("--data-dir <dir>", "data directory (INLET_DATA_DIR, default ./inlet-data)")
    .option("--database-url <url>", "postgres://… or sqlite:FILE (INLET_DATABASE_URL; default SQLite in the data dir)")
    .action(async (options: { port?: string; host?: string; dataDir?: string; databaseUrl?: string }) => {
      const config = parseConfig(options);
      const server = await startServer(config, { logging: config.logLevel !== "silent" });
      ctx.stderr.write(
        `Inlet listening on ${server.url}\n  Flow Service: ${server.url}/data/foundation/flowservice\n  API docs:     ${server.url}/docs\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      ctx.stderr.write("Inlet shutting down\n");
      await server.close();
    });
}
