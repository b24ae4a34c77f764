import type { Command } from "commander";
import { FlowError } from "../../errors.ts";
import { assertValidOrgId } from "../../tenancy/tokens.ts";
import { type CliContext, UsageError } from "../context.ts";
import { withStore } from "./tokens.ts";

const sandboxNamePattern = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function registerSandboxes(program: Command, ctx: CliContext): void {
  const sandboxes = program.command("sandboxes").description("manage an org's sandboxes (every org has prod)");
  sandboxes
    .command("create <name>")
    .description("add a sandbox to an org")
    .requiredOption("--org <org>", "IMS org id")
    .option("--data-dir <dir>", "data directory (INLET_DATA_DIR)")
    .option("--database-url <url>", "database URL (INLET_DATABASE_URL)")
    .action(async (name: string, options: { org: string; dataDir?: string; databaseUrl?: string }) => {
      if (!sandboxNamePattern.test(name)) {
        throw new UsageError(`sandbox name "${name}" must be lowercase letters, digits and dashes (at most 64)`);
      }
      try {
        assertValidOrgId(options.org);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const sandbox = await withStore(options, async (store) => {
        await store.ensureOrg(options.org);
        try {
          return await store.createSandbox(options.org, name);
        } catch (error) {
          if (error instanceof FlowError) throw new UsageError(error.message);
          throw error;
        }
      });
      ctx.stdout.write(`Created sandbox ${sandbox.name} (${sandbox.id}) in ${sandbox.orgId}\n`);
    });
  sandboxes
    .command("list")
    .description("list an org's sandboxes")
    .requiredOption("--org <org>", "IMS org id")
    .option("--data-dir <dir>", "data directory (INLET_DATA_DIR)")
    .option("--database-url <url>", "database URL (INLET_DATABASE_URL)")
    .action(async (options: { org: string; dataDir?: string; databaseUrl?: string }) => {
      const list = await withStore(options, (store) => store.listSandboxes(options.org));
      for (const sandbox of list) ctx.stdout.write(`${sandbox.name}\t${sandbox.id}\n`);
    });
}
