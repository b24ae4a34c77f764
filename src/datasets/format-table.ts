import type { QueryResult } from "./query.ts";

/** An aligned text table: a header, a rule, one line per row; nested values shown as JSON. */
export function formatTable(result: QueryResult): string {
  const cells = result.rows.map((row) => result.columns.map((c) => cellText(row[c])));
  const widths = result.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] as string).length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  const rows = cells.map(line);
  const footer = `(${result.rows.length} row${result.rows.length === 1 ? "" : "s"})`;
  return [line(result.columns), widths.map((w) => "-".repeat(w)).join("  "), ...rows, footer].join("\n");
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.replaceAll(/[\r\n\t]/g, " ");
}
