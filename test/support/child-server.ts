/** `inlet serve` as a real child process (for tests that kill it), its output kept for inspection. */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DatabaseTarget } from "../../src/config.ts";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface ChildServer {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

function databaseUrl(target: DatabaseTarget): string {
  return target.kind === "sqlite" ? `sqlite:${target.file}` : target.url;
}

/** Starts `node bin/inlet.js serve` on a free port; resolves once it prints the URL it listens on. */
export async function serveInChild(dataDir: string, target: DatabaseTarget, output: string[]): Promise<ChildServer> {
  const child = spawn(
    process.execPath,
    [
      path.join(repo, "bin/inlet.js"),
      "serve",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--database-url",
      databaseUrl(target),
    ],
    {
      cwd: repo,
      env: { ...process.env, INLET_RUN_POLL_MS: "100", INLET_LOG_LEVEL: "debug", INLET_RUN_CONCURRENCY: "2" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let own = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`inlet serve did not start: ${own}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      own += chunk.toString();
      const match = /Inlet listening on (http:\/\/\S+)/.exec(own);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`inlet serve exited (${code}): ${own}`)));
  });
  return { url, child, exited };
}
