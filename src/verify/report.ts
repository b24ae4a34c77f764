/** The text report `inlet verify` prints on stdout: each step, its status and time, then the run. */
import type { JsonObject } from "./client.ts";
import type { StepResult, VerifyResult } from "./run-verify.ts";

export interface ReportContext {
  readonly server: string;
  readonly sandbox: string | undefined;
  readonly specName: string;
  readonly authSpecName: string;
  /** Already masked. */
  readonly auth: JsonObject;
  readonly params: JsonObject;
}

function time(ms: number): string {
  if (ms === 0) return "-";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const statusText: Readonly<Record<StepResult["status"], string>> = {
  ok: "ok",
  failed: "FAILED",
  skipped: "skipped",
  kept: "kept",
};

export function formatReport(result: VerifyResult, context: ReportContext): string {
  const lines: string[] = [];
  lines.push(`inlet verify: ${context.specName} against ${context.server} (sandbox ${context.sandbox ?? "default"})`);
  lines.push(`  auth:   ${context.authSpecName} ${JSON.stringify(context.auth)}`);
  lines.push(`  params: ${JSON.stringify(context.params)}`);
  lines.push("");
  const rows = result.steps.map((step, i) => [
    String(i + 1),
    step.name,
    statusText[step.status],
    time(step.ms),
    step.detail,
  ]);
  const header = ["#", "step", "status", "time", "detail"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c] as number)))
      .join("  ")
      .trimEnd();
  lines.push(`  ${line(header)}`);
  for (const row of rows) lines.push(`  ${line(row)}`);
  lines.push("");
  const run = result.run;
  if (run) {
    const duration = run.durationMs === undefined ? "" : ` in ${(run.durationMs / 1000).toFixed(2)} s`;
    lines.push(`  run:          ${run.id}: ${run.status}${duration}`);
    const read = run.recordsRead === undefined ? "" : `${run.recordsRead} read, `;
    lines.push(`  records:      ${read}${run.recordsWritten ?? "?"} written, ${run.recordsFailed ?? 0} failed`);
    lines.push(`  stop reason:  ${run.stopReason ?? "(not reported by the server)"}`);
    lines.push(`  batch:        ${run.batchIds.length > 0 ? run.batchIds.join(", ") : "(none reported)"}`);
    for (const error of run.errors.slice(0, 5)) lines.push(`  run error:    ${error}`);
  }
  if (result.created.datasetId)
    lines.push(`  dataset:      ${result.created.datasetId}${result.kept ? " (kept)" : ""}`);
  const failed = result.steps.find((s) => s.status === "failed");
  if (result.passed) lines.push("PASSED: every step passed");
  else if (result.credentialsRefused)
    lines.push(
      `FAILED: the server refused the credentials at "${failed?.name ?? "?"}" (check --token, --api-key, --org)`,
    );
  else lines.push(`FAILED at "${failed?.name ?? "?"}": ${failed?.detail ?? "unknown failure"}`);
  return `${lines.join("\n")}\n`;
}
