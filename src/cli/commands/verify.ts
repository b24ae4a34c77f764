/**
 * `inlet verify`: runs the spec §7 submit/test workflow against a running server over HTTP and
 * prints a step report. Exit 0 when every step passed, 1 when one failed, 2 for bad arguments,
 * 3 when the server refuses the credentials. No secret is ever printed.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { type JsonObject, VerifyInputError, verifyAndReport } from "../../verify/index.ts";
import { type CliContext, exitCodes, readJsonArgument, UsageError } from "../context.ts";

interface VerifyCliOptions {
  readonly server: string;
  readonly token: string;
  readonly apiKey: string;
  readonly org: string;
  readonly spec: string;
  readonly authSpec: string;
  readonly auth: string;
  readonly params: string;
  readonly sandbox?: string;
  readonly keep?: boolean;
  readonly timeout: string;
  readonly pollInterval: string;
}

function asObject(value: unknown, what: string): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new UsageError(`${what} must be a JSON object`);
  return value as JsonObject;
}

function positiveSeconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive number of seconds, got "${value}"`);
  return n * 1000;
}

/** Like readJsonArgument, but a syntax error never quotes the text: it holds credentials. */
async function readSecretJson(value: string, flag: string): Promise<unknown> {
  try {
    return await readJsonArgument(value, flag);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const position = /position (\d+)/.exec(error.message)?.[1];
    const where = position === undefined ? "" : ` near position ${position}`;
    throw new UsageError(`${flag} is not valid JSON${where} (the text is not shown: it holds credentials)`);
  }
}

async function readSpecFile(path: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the spec file ${path}: ${(error as Error).message}`);
  }
  try {
    return asObject(JSON.parse(text), `the spec file ${path}`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`the spec file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command("verify")
    .description("run the end-to-end test workflow (spec §7) for a connection spec against a running server")
    .requiredOption("--server <url>", "server root URL, e.g. http://127.0.0.1:8080")
    .requiredOption("--token <token>", "access token (Authorization: Bearer)")
    .requiredOption("--api-key <key>", "api key (x-api-key)")
    .requiredOption("--org <org>", "IMS org id (x-gw-ims-org-id)")
    .requiredOption("--spec <file>", "connection spec JSON file; registered with POST, or PUT when its id exists")
    .requiredOption("--auth-spec <name>", "authSpec entry name for the base connection")
    .requiredOption("--auth <json>", "auth params (credentials): inline JSON or @file")
    .option("--params <json>", "source connection params: inline JSON or @file", "{}")
    .option("--sandbox <name>", "sandbox (x-sandbox-name); default: the org's default")
    .option("--keep", "keep the created connections, dataset, mapping and flow")
    .option("--timeout <seconds>", "how long to wait for the run", "300")
    .option("--poll-interval <seconds>", "how often to poll the run", "1")
    .action(async (options: VerifyCliOptions) => {
      const timeoutMs = positiveSeconds(options.timeout, "--timeout");
      const pollIntervalMs = positiveSeconds(options.pollInterval, "--poll-interval");
      const spec = await readSpecFile(options.spec);
      const auth = asObject(await readSecretJson(options.auth, "--auth"), "--auth");
      const params = asObject(await readJsonArgument(options.params, "--params"), "--params");
      try {
        const result = await verifyAndReport(
          {
            server: options.server,
            accessToken: options.token,
            apiKey: options.apiKey,
            orgId: options.org,
            sandbox: options.sandbox,
            spec,
            authSpecName: options.authSpec,
            auth,
            params,
            keep: options.keep === true,
            timeoutMs,
            pollIntervalMs,
          },
          ctx,
        );
        ctx.setExitCode(
          result.passed ? exitCodes.ok : result.credentialsRefused ? exitCodes.authFailure : exitCodes.failure,
        );
      } catch (error) {
        if (error instanceof VerifyInputError) throw new UsageError(error.message);
        throw error;
      }
    });
}
