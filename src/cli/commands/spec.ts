/**
 * `inlet spec lint FILE [--json] [--kind connection|flow]`: lints a connection spec (or a flow
 * spec) offline, with the same checks the API runs on POST/PUT. Exit 0 when there is no error
 * (warnings allowed), 1 on errors, 2 when the file cannot be read or is not JSON.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Problem } from "../../errors.ts";
import { type LintReport, lintConnectionSpec, lintFlowSpec, parseJsonText } from "../../specs/index.ts";
import { type CliContext, exitCodes, UsageError } from "../context.ts";

interface LintOptions {
  readonly json?: boolean;
  readonly kind?: string;
}

type Kind = "connection" | "flow";

/** A flow spec lists connection spec ids and has no authSpec/sourceSpec. */
function guessKind(doc: unknown): Kind {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return "connection";
  const has = (key: string) => Object.hasOwn(doc, key);
  const flowish = ["sourceConnectionSpecIds", "targetConnectionSpecIds", "scheduleSpec", "transformationSpecs"].some(
    has,
  );
  const connectionish = ["authSpec", "sourceSpec", "targetSpec", "exploreSpec"].some(has);
  return flowish && !connectionish ? "flow" : "connection";
}

async function readDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
    throw new UsageError(`cannot read ${file}: ${reason}`);
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    throw new UsageError(
      `${file} is not valid JSON at line ${parsed.line}, column ${parsed.column} (position ${parsed.position}): ${parsed.message}`,
    );
  }
  return parsed.value;
}

function humanReport(file: string, kind: Kind, report: LintReport): string {
  const line = (p: Problem) => `${p.severity}  ${p.pointer === "" ? "/" : p.pointer}  ${p.message}`;
  const errors = report.problems.filter((p) => p.severity === "error").length;
  const warnings = report.problems.length - errors;
  const what = kind === "flow" ? "flow spec" : "connection spec";
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const summary = report.valid
    ? `${file}: valid ${what}${warnings > 0 ? ` (${plural(warnings, "warning")})` : ""}`
    : `${file}: ${plural(errors, "error")}, ${plural(warnings, "warning")}; the ${what} is not valid`;
  return [...report.problems.map(line), summary].join("\n");
}

export function registerSpec(program: Command, ctx: CliContext): void {
  const spec = program.command("spec").description("work with connection specs and flow specs");
  spec
    .command("lint")
    .description("check a connection spec (or flow spec) file and list every problem with its JSON Pointer")
    .argument("<file>", "a JSON file holding the spec")
    .option("--json", "print {valid, problems} as JSON")
    .option("--kind <kind>", "connection or flow (default: guessed from the fields)")
    .action(async (file: string, options: LintOptions) => {
      if (options.kind !== undefined && options.kind !== "connection" && options.kind !== "flow") {
        throw new UsageError(`--kind must be connection or flow, got "${options.kind}"`);
      }
      const doc = await readDocument(file);
      const kind: Kind = (options.kind as Kind | undefined) ?? guessKind(doc);
      const report = kind === "flow" ? lintFlowSpec(doc) : lintConnectionSpec(doc);
      const text = options.json
        ? JSON.stringify({ valid: report.valid, problems: report.problems }, null, 2)
        : humanReport(file, kind, report);
      ctx.stdout.write(`${text}\n`);
      ctx.setExitCode(report.valid ? exitCodes.ok : exitCodes.failure);
    });
}
