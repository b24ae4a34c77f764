/**
 * `inlet serve` at log level trace in a child process, for the secret-leak suite (pino writes to
 * file descriptor 1, so only a parent process can read every line). INLET_MASTER_KEY is taken from
 * the environment; runs are polled fast. Prints one JSON line `{ready, url, admin}` when listening;
 * stops on SIGTERM. Argument: the data dir.
 */
import { parseConfig } from "../../src/config.ts";
import { startServer } from "../../src/runtime/start-server.ts";
import { issueToken } from "../../src/tenancy/tokens.ts";
import { fastRunner } from "../support/flows-workflow.ts";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: trace-server.ts <data dir>");
const config = parseConfig(
  { dataDir, port: 0 },
  { INLET_LOG_LEVEL: "trace", INLET_MASTER_KEY: process.env.INLET_MASTER_KEY },
);
const server = await startServer(config, { logging: true, runner: fastRunner });
const admin = await issueToken(server.store, "SECRETS@AdobeOrg", "admin");
process.stdout.write(`${JSON.stringify({ ready: true, url: server.url, admin })}\n`);
process.once("SIGTERM", () => {
  void server.close().finally(() => process.exit(0));
});
