import { Command, CommanderError } from "commander";
import { ConfigError } from "../config.ts";
import { registerCommands } from "./commands/index.ts";
import { type CliContext, exitCodes, UsageError } from "./context.ts";

/** Runs the CLI and resolves to the exit code; `bin/inlet.js` sets it on the process. */
export async function main(argv: readonly string[], context?: Partial<CliContext>): Promise<number> {
  let exitCode: number = exitCodes.ok;
  const ctx: CliContext = {
    stdout: context?.stdout ?? process.stdout,
    stderr: context?.stderr ?? process.stderr,
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = new Command("inlet")
    .description("Inlet: a self-hostable Flow Service for Self-Serve Sources")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
    });
  registerCommands(program, ctx);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.badInput;
    }
    if (error instanceof ConfigError || error instanceof UsageError) {
      ctx.stderr.write(`inlet: ${error.message}\n`);
      return exitCodes.badInput;
    }
    ctx.stderr.write(`inlet: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failure;
  }
  return exitCode;
}
