/**
 * `inlet serve` with logging at trace level, for tests that read its log lines: a child process
 * (pino writes to file descriptor 1 directly, so a test cannot capture it in-process). Prints one
 * JSON line `{ready, url, token}` when listening; stops on SIGTERM. Argument: the data dir.
 */
import { parseConfig } from "../../src/config.ts";
import { startServer } from "../../src/runtime/start-server.ts";
import { issueToken } from "../../src/tenancy/tokens.ts";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: connections-log-server.ts <data dir>");
const config = parseConfig({ dataDir, port: 0 }, { INLET_LOG_LEVEL: "trace" });
const server = await startServer(config, { logging: true });
const token = await issueToken(server.store, "LOGS@AdobeOrg", "admin");
process.stdout.write(`${JSON.stringify({ ready: true, url: server.url, token })}\n`);
process.once("SIGTERM", () => {
  void server.close().finally(() => process.exit(0));
});
