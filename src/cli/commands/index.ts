import type { Command } from "commander";
import type { CliContext } from "../context.ts";
import { registerDatasets } from "./datasets.ts";
import { registerQuery } from "./query.ts";
import { registerRead } from "./read.ts";
import { registerSandboxes } from "./sandboxes.ts";
import { registerServe } from "./serve.ts";
import { registerTokens } from "./tokens.ts";

/** Every command registers itself here; one file per command beside this one. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerServe(program, ctx);
  registerTokens(program, ctx);
  registerSandboxes(program, ctx);
  registerRead(program, ctx);
  registerQuery(program, ctx);
  registerDatasets(program, ctx);
}
