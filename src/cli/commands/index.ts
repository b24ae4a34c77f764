import type { Command } from "commander";
import type { CliContext } from "../context.ts";
import { registerArtifactsCommand } from "./artifacts.ts";
import { registerDatasets } from "./datasets.ts";
import { registerDemo } from "./demo.ts";
import { registerQuery } from "./query.ts";
import { registerRead } from "./read.ts";
import { registerSandboxes } from "./sandboxes.ts";
import { registerServe } from "./serve.ts";
import { registerSpec } from "./spec.ts";
import { registerTokens } from "./tokens.ts";
import { registerVerify } from "./verify.ts";
import { registerWorker } from "./worker.ts";

/** Every command registers itself here; one file per command beside this one. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerServe(program, ctx);
  registerWorker(program, ctx);
  registerTokens(program, ctx);
  registerSandboxes(program, ctx);
  registerRead(program, ctx);
  registerQuery(program, ctx);
  registerDatasets(program, ctx);
  registerSpec(program, ctx);
  registerVerify(program, ctx);
  registerDemo(program, ctx);
  registerArtifactsCommand(program, ctx);
}
