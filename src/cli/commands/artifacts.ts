/**
 * `inlet artifacts validate PATH` and `inlet artifacts register PATH`: the source artifacts of spec
 * §8 (`Sources/{source}/Artifacts/`), checked and then registered with a Flow Service.
 */
import type { Command } from "commander";
import {
  ArtifactsPathError,
  descriptionMaxChars,
  FlowServiceClient,
  formatRegisterResult,
  formatReport,
  labelMaxChars,
  maxIconBytes,
  type RegisterResult,
  registerArtifacts,
  reportJson,
  type ValidationReport,
  validateArtifacts,
} from "../../artifacts/index.ts";
import { categoryKeys } from "../../specs/index.ts";
import { type CliContext, exitCodes, UsageError } from "../context.ts";

/** The category keys, wrapped to the help column. */
function categoryList(): string {
  const lines: string[] = [];
  let line = "one category key:";
  for (const [i, key] of categoryKeys.entries()) {
    const word = i === categoryKeys.length - 1 ? `or ${key}` : `${key},`;
    if (`${line} ${word}`.length > 70) {
      lines.push(line);
      line = word;
    } else line = `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(31)}`);
}

const layoutHelp = `
PATH is a Sources/ folder holding several {source}/Artifacts/ folders, one {source}/ folder, or an
Artifacts/ folder itself. Each Artifacts/ folder holds exactly five files named after the source:
  {source}-category.txt        ${categoryList()}
                               (case and space variants such as "Marketing Automation" are
                               accepted with a warning; otherwise the nearest key is suggested)
  {source}-description.txt     non-empty, at most ${descriptionMaxChars} characters
  {source}-icon.svg            well-formed XML with an <svg> root in the SVG namespace, at most
                               ${maxIconBytes / 1024} KiB; no <script>, on* event handlers, <foreignObject>,
                               DOCTYPE/ENTITY, external href/xlink:href (only "#id"), url(…) to
                               another resource, @import or <?xml-stylesheet?>
  {source}-label.txt           one line, at most ${labelMaxChars} characters
  {source}-connectionSpec.json valid JSON that passes the connection-spec linter, with a fixed UUID id;
                               its uiAttributes.category should match the category file
`;

const validateHelp = `${layoutHelp}
Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 bad PATH.
`;

const registerHelp = `
Validates PATH first and registers only the sources without errors. For each one it GETs the
connection spec by its id, POSTs it when absent, PUTs it when it differs (server fields such as
createdAt or etag are ignored) and otherwise leaves it alone; then it appends the ids missing from
the RestStorageToAEP flow spec's sourceConnectionSpecIds (PUT with If-Match, one retry on 412).
Running it twice changes nothing the second time. The token needs the admin role.
--server is the server root (http://localhost:8080) or the Flow Service base URL.

Exit codes: 0 all registered, 1 a source has validation errors, 2 bad arguments or PATH,
3 the server refused the credentials, 4 the server or network failed.
`;

interface ValidateOptions {
  readonly json?: boolean;
}

interface RegisterOptions {
  readonly server: string;
  readonly token: string;
  readonly apiKey: string;
  readonly org: string;
  readonly sandbox?: string;
}

async function validateOrUsage(path: string): Promise<ValidationReport> {
  try {
    return await validateArtifacts(path);
  } catch (error) {
    if (error instanceof ArtifactsPathError) throw new UsageError(error.message);
    throw error;
  }
}

async function runValidate(ctx: CliContext, path: string, options: ValidateOptions): Promise<void> {
  const report = await validateOrUsage(path);
  ctx.stdout.write(options.json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : formatReport(report));
  ctx.setExitCode(report.errors === 0 ? exitCodes.ok : exitCodes.failure);
}

function exitCodeFor(results: readonly RegisterResult[]): number {
  const kinds = new Set(results.map((r) => r.errorKind));
  if (kinds.has("auth")) return exitCodes.authFailure;
  if (kinds.has("http") || kinds.has("network")) return exitCodes.upstreamFailure;
  if (kinds.has("validation")) return exitCodes.failure;
  return exitCodes.ok;
}

async function runRegister(ctx: CliContext, path: string, options: RegisterOptions): Promise<void> {
  let client: FlowServiceClient;
  try {
    client = new FlowServiceClient({
      server: options.server,
      token: options.token,
      apiKey: options.apiKey,
      org: options.org,
      ...(options.sandbox === undefined ? {} : { sandbox: options.sandbox }),
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const report = await validateOrUsage(path);
  if (report.errors > 0) {
    const failing = {
      ...report,
      sources: report.sources.filter((s) => s.problems.some((p) => p.severity === "error")),
    };
    ctx.stderr.write(formatReport(failing));
  }
  const results = await registerArtifacts(report, client);
  for (const result of results) ctx.stdout.write(`${formatRegisterResult(result)}\n`);
  ctx.setExitCode(exitCodeFor(results));
}

export function registerArtifactsCommand(program: Command, ctx: CliContext): void {
  const artifacts = program
    .command("artifacts")
    .description("check and register source artifacts (Sources/{source}/Artifacts/)");
  artifacts
    .command("validate")
    .description("check the artifacts of one or more sources; a report on stdout")
    .argument("<path>", "a Sources/ folder, a {source}/ folder or an Artifacts/ folder")
    .option("--json", "print the report as JSON")
    .addHelpText("after", validateHelp)
    .action((path: string, options: ValidateOptions) => runValidate(ctx, path, options));
  artifacts
    .command("register")
    .description("create or update each valid source's connection spec and list it in the RestStorageToAEP flow spec")
    .argument("<path>", "a Sources/ folder, a {source}/ folder or an Artifacts/ folder")
    .requiredOption("--server <url>", "server root or Flow Service base URL, e.g. http://localhost:8080")
    .requiredOption("--token <token>", "access token (admin role), sent as Authorization: Bearer")
    .requiredOption("--api-key <key>", "api key, sent as x-api-key")
    .requiredOption("--org <org>", "IMS org id, sent as x-gw-ims-org-id")
    .option("--sandbox <name>", "sandbox name, sent as x-sandbox-name")
    .addHelpText("after", registerHelp)
    .action((path: string, options: RegisterOptions) => runRegister(ctx, path, options));
}
