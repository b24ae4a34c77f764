import type { Writable } from "node:stream";
import { parseJsonText } from "../specs/json-text.ts";

/** What every command gets: its output streams and a way to set the process exit code. */
export interface CliContext {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  setExitCode(code: number): void;
}

/** Exit codes shared by all commands. */
export const exitCodes = {
  ok: 0,
  failure: 1,
  badInput: 2,
  authFailure: 3,
  upstreamFailure: 4,
} as const;

/** Reads an argument that is either inline JSON or `@path/to/file.json`. */
export async function readJsonArgument(value: string, what: string): Promise<unknown> {
  const { readFile } = await import("node:fs/promises");
  const text = value.startsWith("@") ? await readFile(value.slice(1), "utf8") : value;
  const parsed = parseJsonText(text);
  if (parsed.ok) return parsed.value;
  // Where, never what: --auth and --params hold credentials, and JSON.parse's own message quotes
  // the text around the mistake (parseJsonText drops that quote).
  throw new UsageError(
    `${what} is not valid JSON at line ${parsed.line}, column ${parsed.column} (position ${parsed.position}): ${parsed.message}`,
  );
}

/** A mistake in the command line itself; the CLI prints it and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
