/**
 * `inlet demo [--keep-serving] [--port P]`: one command for a newcomer after `npm ci`. Runs an
 * embedded server and a local Mailchimp-like API, verifies the example Mailchimp Members source end
 * to end and prints the dataset it wrote. See src/demo/run-demo.ts.
 */
import type { Command } from "commander";
import { DemoSetupError, runDemo } from "../../demo/run-demo.ts";
import { type CliContext, UsageError } from "../context.ts";

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command("demo")
    .description("run a local server and a Mailchimp-like API, ingest the example source end to end, show the data")
    .option("--keep-serving", "keep the server and the demo API up until Ctrl-C (prints local demo credentials)")
    .option("--port <port>", "port of the Inlet server (default: any free port)")
    .action(async (options: { keepServing?: boolean; port?: string }) => {
      let port: number | undefined;
      if (options.port !== undefined) {
        port = Number(options.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError(`--port must be an integer from 0 to 65535, got "${options.port}"`);
      }
      try {
        const outcome = await runDemo({
          stdout: ctx.stdout,
          stderr: ctx.stderr,
          keepServing: options.keepServing === true,
          ...(port === undefined ? {} : { port }),
        });
        ctx.setExitCode(outcome.exitCode);
      } catch (error) {
        if (error instanceof DemoSetupError) throw new Error(`demo: ${error.message}`);
        throw error;
      }
    });
}
