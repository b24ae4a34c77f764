/**
 * Flow runs as the monitor shows them (spec §1.9, src/flows/run-metrics.ts): a row per run, the
 * chart's geometry (records in and failed per run), and small formatters.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

const obj = (value: unknown): Json => (isObject(value) ? value : {});
const num = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);
const optNum = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;

export interface RunError {
  readonly code: string;
  readonly message: string;
}

export interface SampleError {
  readonly recordIndex: number | undefined;
  readonly code: string;
  readonly message: string;
}

export interface RunRow {
  readonly id: string;
  readonly state: string;
  readonly createdAt: number | undefined;
  readonly startedAt: number | undefined;
  readonly completedAt: number | undefined;
  readonly durationMs: number | undefined;
  readonly input: number;
  readonly output: number;
  readonly failed: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly pages: number | undefined;
  readonly requests: number | undefined;
  readonly retries: number | undefined;
  readonly stopReason: string | undefined;
  readonly windowStart: number | undefined;
  readonly windowEnd: number | undefined;
  readonly trigger: string | undefined;
  readonly errors: readonly RunError[];
  readonly samples: readonly SampleError[];
  readonly batchIds: readonly string[];
  readonly failedRecordsFile: string | undefined;
}

function errorsOf(value: unknown): RunError[] {
  return Array.isArray(value)
    ? value.filter(isObject).map((e) => ({ code: String(e.code ?? ""), message: String(e.message ?? "") }))
    : [];
}

export function runRow(run: unknown): RunRow {
  const r = obj(run);
  const metrics = obj(r.metrics);
  const duration = obj(metrics.durationSummary);
  const records = obj(metrics.recordSummary);
  const sizes = obj(metrics.sizeSummary);
  const status = obj(metrics.statusSummary);
  const extensions = obj(metrics.extensions);
  const execution = obj(r.execution);
  const activities = Array.isArray(r.activities) ? r.activities.filter(isObject) : [];
  const promotion = activities.find((a) => a.id === "promotionActivity") ?? {};
  const promotionStatus = obj(promotion.statusSummary);
  const samples = Array.isArray(promotionStatus.sampleErrors)
    ? promotionStatus.sampleErrors.filter(isObject).map((s) => ({
        recordIndex: optNum(s.recordIndex),
        code: String(s.code ?? ""),
        message: String(s.message ?? ""),
      }))
    : [];
  const targetInfo = Array.isArray(promotion.targetInfo) ? promotion.targetInfo.filter(isObject) : [];
  const batchIds = targetInfo.flatMap((t) => {
    const ids = obj(t.reference).ids;
    return Array.isArray(ids) ? ids.map(String) : [];
  });
  const manifest = obj(obj(promotionStatus.extensions).manifest);
  const startedAt = optNum(duration.startedAtUTC);
  const completedAt = optNum(duration.completedAtUTC);
  const errors = errorsOf(status.errors);
  for (const extra of errorsOf(promotionStatus.errors)) {
    if (!errors.some((e) => e.code === extra.code && e.message === extra.message)) errors.push(extra);
  }
  return {
    id: String(r.id ?? ""),
    state: String(r.state ?? status.status ?? "pending"),
    createdAt: optNum(r.createdAt),
    startedAt,
    completedAt,
    durationMs: startedAt !== undefined && completedAt !== undefined ? completedAt - startedAt : undefined,
    input: num(records.inputRecordCount),
    output: num(records.outputRecordCount),
    failed: num(records.failedRecordCount),
    inputBytes: num(sizes.inputBytes),
    outputBytes: num(sizes.outputBytes),
    pages: optNum(extensions.pages),
    requests: optNum(extensions.requests),
    retries: optNum(extensions.retries),
    stopReason: typeof extensions.stopReason === "string" ? extensions.stopReason : undefined,
    windowStart: optNum(extensions.windowStart) ?? optNum(obj(execution.window).start),
    windowEnd: optNum(extensions.windowEnd) ?? optNum(obj(execution.window).end),
    trigger: typeof execution.trigger === "string" ? execution.trigger : undefined,
    errors,
    samples,
    batchIds,
    failedRecordsFile: typeof manifest.failedRecords === "string" ? manifest.failedRecords : undefined,
  };
}

/** Oldest first (by start, else creation), as the chart reads left to right. */
export function chronological(rows: readonly RunRow[]): RunRow[] {
  const time = (row: RunRow) => row.startedAt ?? row.createdAt ?? 0;
  return [...rows].sort((a, b) => time(a) - time(b));
}

export const isTerminal = (state: string) => state === "success" || state === "failed";

/** A round upper bound for the axis and its ticks: 0, ¼, ½, ¾ and 1 of it. */
export function niceMax(value: number): number {
  if (value <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10]) {
    const candidate = step * magnitude;
    if (candidate >= value && Number.isInteger(candidate / 4)) return candidate;
  }
  return 10 * magnitude;
}

export interface ChartBar {
  readonly runId: string;
  readonly series: "in" | "failed";
  readonly value: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface ChartModel {
  readonly width: number;
  readonly height: number;
  readonly plot: { readonly left: number; readonly top: number; readonly width: number; readonly height: number };
  readonly max: number;
  readonly ticks: ReadonlyArray<{ readonly value: number; readonly y: number }>;
  readonly groups: ReadonlyArray<{
    readonly run: RunRow;
    readonly x: number;
    readonly width: number;
    readonly label: string;
  }>;
  readonly bars: readonly ChartBar[];
}

/**
 * Grouped bars, one group per run (the last `limit` runs), records in and failed side by side on
 * a shared axis from 0 to a round maximum. Pure geometry: the component only draws it.
 */
export function chartModel(
  rows: readonly RunRow[],
  options: { width?: number; height?: number; limit?: number } = {},
): ChartModel {
  const width = options.width ?? 720;
  const height = options.height ?? 240;
  const runs = chronological(rows).slice(-(options.limit ?? 20));
  const plot = { left: 56, top: 16, width: width - 56 - 16, height: height - 16 - 40 };
  const max = niceMax(Math.max(0, ...runs.flatMap((r) => [r.input, r.failed])));
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({
    value: Math.round(max * f),
    y: plot.top + plot.height * (1 - f),
  }));
  const slot = runs.length > 0 ? plot.width / runs.length : plot.width;
  const groupWidth = Math.min(slot * 0.7, 96);
  const barWidth = groupWidth / 2;
  const groups = runs.map((run, i) => ({
    run,
    x: plot.left + slot * i + (slot - groupWidth) / 2,
    width: groupWidth,
    label: `#${rows.length - runs.length + i + 1}`,
  }));
  const bars: ChartBar[] = groups.flatMap((group) =>
    (["in", "failed"] as const).map((series, k) => {
      const value = series === "in" ? group.run.input : group.run.failed;
      const h = max === 0 ? 0 : (value / max) * plot.height;
      return {
        runId: group.run.id,
        series,
        value,
        x: group.x + k * barWidth,
        y: plot.top + plot.height - h,
        width: barWidth - 2,
        height: h,
      };
    }),
  );
  return { width, height, plot, max, ticks, groups, bars };
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
