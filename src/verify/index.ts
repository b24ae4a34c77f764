/**
 * `inlet verify`: the spec §7 workflow against a running server, over HTTP only.
 * - `verifyAndReport(input, streams)`: runs it with progress on stderr and the report on stdout,
 *   every secret scrubbed from both; used by the CLI command and by `inlet demo`.
 * - `runVerify(options)`: the workflow itself, returning a `VerifyResult` (no output).
 * - `PlatformClient`: the small typed client it uses.
 */
import type { Writable } from "node:stream";
import { findAuthSpec } from "../engine/index.ts";
import { ApiError, type JsonObject, PlatformClient } from "./client.ts";
import { createVerifyProgress } from "./progress.ts";
import { formatReport } from "./report.ts";
import { runVerify, type VerifyResult } from "./run-verify.ts";
import { createScrubber, maskParams, passwordProperties, secretValues } from "./secrets.ts";

export { findAuthSpec } from "../engine/index.ts";
export { ApiError, type JsonObject, PlatformClient, TransportError } from "./client.ts";
export { planRowSchema } from "./dataset-schema.ts";
export { formatReport } from "./report.ts";
export {
  dataLakeConnectionSpecId,
  type RunOutcome,
  restStorageFlowSpecId,
  runVerify,
  type StepResult,
  type VerifyEvent,
  type VerifyOptions,
  type VerifyResult,
} from "./run-verify.ts";
export { createScrubber, maskParams } from "./secrets.ts";

export interface VerifyInput {
  readonly server: string;
  readonly accessToken: string;
  readonly apiKey: string;
  readonly orgId: string;
  readonly sandbox?: string | undefined;
  readonly spec: JsonObject;
  readonly authSpecName: string;
  readonly auth: JsonObject;
  readonly params: JsonObject;
  readonly keep?: boolean;
  readonly timeoutMs?: number;
  readonly pollIntervalMs?: number;
}

export interface VerifyStreams {
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean };
}

/** Thrown for input verify cannot start with (the CLI turns it into exit 2). */
export class VerifyInputError extends Error {
  override readonly name = "VerifyInputError";
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The names of the authSpec entries, for a helpful error. */
function authSpecNames(spec: JsonObject): string {
  const entries = Array.isArray(spec.authSpec) ? spec.authSpec.filter(isObject) : [];
  return entries.map((e) => `"${String(e.name)}"`).join(", ") || "none";
}

function sourceParamPasswords(spec: JsonObject): Set<string> {
  const sourceSpec = isObject(spec.sourceSpec) ? spec.sourceSpec : {};
  const attributes = isObject(sourceSpec.attributes) ? sourceSpec.attributes : {};
  const inputs = sourceSpec.spec ?? attributes.spec;
  return passwordProperties({ spec: inputs });
}

/** Runs verify with progress (stderr) and report (stdout); neither ever shows a secret. */
export async function verifyAndReport(input: VerifyInput, streams: VerifyStreams): Promise<VerifyResult> {
  const authSpec = findAuthSpec(input.spec, input.authSpecName);
  if (!authSpec) {
    throw new VerifyInputError(
      `the connection spec has no authSpec entry "${input.authSpecName}" (it has: ${authSpecNames(input.spec)})`,
    );
  }
  const authPasswords = passwordProperties(authSpec);
  const paramPasswords = sourceParamPasswords(input.spec);
  const scrub = createScrubber([
    input.accessToken,
    input.apiKey,
    ...secretValues(input.auth, authPasswords),
    ...secretValues(input.params, paramPasswords),
  ]);
  let client: PlatformClient;
  try {
    client = new PlatformClient({
      server: input.server,
      accessToken: input.accessToken,
      apiKey: input.apiKey,
      orgId: input.orgId,
      sandbox: input.sandbox,
    });
  } catch (error) {
    throw new VerifyInputError((error as Error).message);
  }
  const progress = createVerifyProgress(streams.stderr, scrub);
  let result: VerifyResult;
  try {
    result = await runVerify({
      client,
      spec: input.spec,
      authSpecName: typeof authSpec.name === "string" ? authSpec.name : input.authSpecName,
      auth: input.auth,
      params: input.params,
      ...(input.keep === undefined ? {} : { keep: input.keep }),
      ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
      ...(input.pollIntervalMs === undefined ? {} : { pollIntervalMs: input.pollIntervalMs }),
      onEvent: progress.onEvent,
    });
  } finally {
    progress.stop();
  }
  const report = formatReport(result, {
    server: client.server,
    sandbox: input.sandbox,
    specName: typeof input.spec.name === "string" ? input.spec.name : "connection spec",
    authSpecName: typeof authSpec.name === "string" ? authSpec.name : input.authSpecName,
    auth: maskParams(input.auth, authPasswords),
    params: maskParams(input.params, paramPasswords),
  });
  streams.stdout.write(scrub(report));
  return result;
}

/** Whether an error means the server refused the caller's credentials. */
export function isCredentialRefusal(error: unknown): boolean {
  return error instanceof ApiError && error.credentialsRefused;
}
