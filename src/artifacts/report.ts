/** Renders a validation report: one block per source, one line per problem, then a summary. */
import path from "node:path";
import type { ArtifactProblem, ValidationReport } from "./types.ts";

function where(problem: ArtifactProblem): string {
  let text = problem.file;
  if (problem.line !== undefined) text += `:${problem.line}${problem.column === undefined ? "" : `:${problem.column}`}`;
  if (problem.pointer !== undefined) text += ` ${problem.pointer === "" ? "/" : problem.pointer}`;
  return text;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

export function formatReport(report: ValidationReport, cwd = process.cwd()): string {
  const lines: string[] = [];
  for (const source of report.sources) {
    const relative = path.relative(cwd, source.dir);
    const dir = relative === "" ? "." : relative.startsWith("..") || path.isAbsolute(relative) ? source.dir : relative;
    const errors = source.problems.filter((p) => p.severity === "error").length;
    const warnings = source.problems.length - errors;
    const status =
      errors === 0 && warnings === 0
        ? "ok"
        : `${errors === 0 ? "ok, " : `${plural(errors, "error")}, `}${plural(warnings, "warning")}`;
    lines.push(`${source.source} (${dir}): ${status}`);
    for (const problem of source.problems) {
      lines.push(`  ${problem.severity === "error" ? "error  " : "warning"} ${where(problem)}: ${problem.message}`);
    }
  }
  const verdict = report.errors === 0 ? "valid" : "invalid";
  lines.push(
    `${plural(report.sources.length, "source")} checked: ${plural(report.errors, "error")}, ${plural(report.warnings, "warning")} (${verdict})`,
  );
  return `${lines.join("\n")}\n`;
}

/** The `--json` shape: the report without the parsed specs. */
export function reportJson(report: ValidationReport): unknown {
  return {
    root: report.root,
    valid: report.errors === 0,
    errors: report.errors,
    warnings: report.warnings,
    sources: report.sources.map((s) => ({
      source: s.source,
      dir: s.dir,
      valid: !s.problems.some((p) => p.severity === "error"),
      ...(s.spec && typeof s.spec.id === "string" ? { id: s.spec.id } : {}),
      problems: s.problems,
    })),
  };
}
