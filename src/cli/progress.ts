/**
 * Progress of a read on stderr. On a TTY one line is redrawn at most every 100 ms (redrawing per
 * page would cost more than the read at ~1 ms pages); otherwise a plain line every 5 s and one per retry,
 * which suits logs and CI.
 */
import type { Writable } from "node:stream";
import type { ReadEvent, ReadSummary } from "../engine/index.ts";

export interface ProgressCounts {
  pages: number;
  records: number;
  requests: number;
  retries: number;
  bytes: number;
}

export interface Progress {
  readonly counts: ProgressCounts;
  readonly onEvent: (event: ReadEvent) => void;
  /** Clears the live line and prints the closing summary. */
  finish(summary: ReadSummary): void;
}

const ttyRedrawMs = 100;
const plainEveryMs = 5000;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

function rate(records: number, ms: number): string {
  return ms <= 0 ? "0" : Math.round((records * 1000) / ms).toLocaleString("en-US");
}

export function summaryLine(summary: ReadSummary): string {
  const seconds = (summary.durationMs / 1000).toFixed(1);
  return (
    `read ${summary.records} records in ${summary.pages} pages: ${summary.requests} requests, ` +
    `${summary.retries} retries, ${formatBytes(summary.bytes)}, ${seconds} s, ` +
    `${rate(summary.records, summary.durationMs)} records/s; stopped: ${summary.stopReason}`
  );
}

export function createProgress(
  stderr: Writable & { isTTY?: boolean },
  now: () => number = performance.now.bind(performance),
): Progress {
  const counts: ProgressCounts = { pages: 0, records: 0, requests: 0, retries: 0, bytes: 0 };
  const started = now();
  const tty = stderr.isTTY === true;
  let lastDraw = started;
  let drawn = false;

  const line = () =>
    `${counts.pages} pages, ${counts.records.toLocaleString("en-US")} records, ` +
    `${rate(counts.records, now() - started)} records/s, ${counts.retries} retries, ${formatBytes(counts.bytes)}`;

  const maybeDraw = () => {
    const t = now();
    if (t - lastDraw < (tty ? ttyRedrawMs : plainEveryMs)) return;
    lastDraw = t;
    if (tty) {
      stderr.write(`\r\x1b[2K${line()}`);
      drawn = true;
    } else stderr.write(`progress: ${line()}\n`);
  };

  const clear = () => {
    if (drawn) stderr.write("\r\x1b[2K");
    drawn = false;
  };

  return {
    counts,
    onEvent(event) {
      switch (event.type) {
        case "request":
          if (event.entry.kind === "page") counts.requests += 1;
          break;
        case "page":
          counts.pages += 1;
          counts.records += event.records;
          counts.bytes += event.bytes;
          maybeDraw();
          break;
        case "retry":
          counts.retries += 1;
          clear();
          stderr.write(
            `retry ${event.attempt} of ${event.url}: ${event.reason}${event.status ? ` (status ${event.status})` : ""}, ` +
              `waiting ${event.waitMs} ms\n`,
          );
          break;
      }
    },
    finish(summary) {
      clear();
      stderr.write(`${summaryLine(summary)}\n`);
    },
  };
}
