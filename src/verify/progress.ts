/**
 * Verify's progress on stderr. On a TTY one live line (the current step and its elapsed time,
 * the run's status and records while waiting) is redrawn every 200 ms and cleared at the end, so
 * the report that follows stands alone; otherwise plain lines, one per finished step and one per
 * run status change, which suits logs and CI.
 */
import type { Writable } from "node:stream";
import type { VerifyEvent } from "./run-verify.ts";

export interface VerifyProgress {
  readonly onEvent: (event: VerifyEvent) => void;
  /** Stops the redraw timer and clears the live line. */
  stop(): void;
}

const redrawMs = 200;

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function createVerifyProgress(
  stderr: Writable & { isTTY?: boolean },
  scrub: (text: string) => string = (t) => t,
): VerifyProgress {
  const tty = stderr.isTTY === true;
  const write = (text: string) => stderr.write(scrub(text));
  let current: { name: string; index: number; total: number; started: number } | undefined;
  let runLine = "";
  let lastRunStatus = "";
  let drawn = false;
  let timer: NodeJS.Timeout | undefined;

  const draw = () => {
    if (!current) return;
    const elapsed = seconds(performance.now() - current.started);
    const what = current.name === "run" && runLine !== "" ? `run: ${runLine}` : current.name;
    write(`\r\x1b[2Kverify [${current.index}/${current.total}] ${what} … ${elapsed}`);
    drawn = true;
  };
  const clear = () => {
    if (drawn) write("\r\x1b[2K");
    drawn = false;
  };

  return {
    onEvent(event) {
      switch (event.type) {
        case "step-start":
          current = { name: event.name, index: event.index, total: event.total, started: performance.now() };
          runLine = "";
          if (tty) {
            draw();
            if (!timer) {
              timer = setInterval(draw, redrawMs);
              timer.unref();
            }
          }
          break;
        case "run-poll": {
          const records =
            event.records === undefined ? "" : `, ${event.records.toLocaleString("en-US")} records written`;
          runLine = `${event.status}${records}`;
          if (!tty && event.status !== lastRunStatus) {
            write(`verify: run ${event.status} after ${seconds(event.elapsedMs)}${records}\n`);
          }
          lastRunStatus = event.status;
          break;
        }
        case "step-end": {
          current = undefined;
          if (tty) clear();
          else {
            const { step } = event;
            const label = step.status === "ok" ? "ok" : step.status === "failed" ? "FAILED" : step.status;
            write(
              `verify: [${event.index}/${event.total}] ${step.name}: ${label} (${seconds(step.ms)}) ${step.detail}\n`,
            );
          }
          break;
        }
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      current = undefined;
      clear();
    },
  };
}
