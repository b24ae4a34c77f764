import type { Command } from "commander";
import { parseConfig } from "../../config.ts";
import { openMetadataStore } from "../../store/create-store.ts";
import { type TokenRole, tokenRoles } from "../../store/metadata-store.ts";
import { issueToken } from "../../tenancy/tokens.ts";
import { type CliContext, UsageError } from "../context.ts";

interface StoreOptions {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
}

/** Opens the store the server uses (same flags and settings), runs work, closes it. */
export async function withStore<T>(
  options: StoreOptions,
  work: (store: Awaited<ReturnType<typeof openMetadataStore>>) => Promise<T>,
): Promise<T> {
  const { mkdir } = await import("node:fs/promises");
  const config = parseConfig(options);
  await mkdir(config.dataDir, { recursive: true });
  const store = await openMetadataStore(config.database);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export function registerTokens(program: Command, ctx: CliContext): void {
  const tokens = program.command("tokens").description("manage API access tokens");
  tokens
    .command("create")
    .description("create an access token and api key for an org (the token is shown once)")
    .requiredOption("--org <org>", "IMS org id, e.g. ACME@AdobeOrg")
    .option("--role <role>", "admin (may author specs) or user", "user")
    .option("--data-dir <dir>", "data directory (INLET_DATA_DIR)")
    .option("--database-url <url>", "database URL (INLET_DATABASE_URL)")
    .option("--json", "print {accessToken, apiKey, orgId} as JSON")
    .action(async (options: StoreOptions & { org: string; role: string; json?: boolean }) => {
      const role = tokenRoles.find((r) => r === options.role);
      if (!role) throw new UsageError(`--role must be one of ${tokenRoles.join(", ")}, got "${options.role}"`);
      const issued = await withStore(options, (store) => issueTokenOrUsage(store, options.org, role));
      if (options.json) {
        ctx.stdout.write(
          `${JSON.stringify({ accessToken: issued.accessToken, apiKey: issued.apiKey, orgId: issued.orgId })}\n`,
        );
        return;
      }
      ctx.stdout.write(
        `Created a ${role} token for ${issued.orgId} (shown once; only its hash is stored):\n` +
          `  Authorization: Bearer ${issued.accessToken}\n  x-api-key: ${issued.apiKey}\n  x-gw-ims-org-id: ${issued.orgId}\n`,
      );
    });
}

async function issueTokenOrUsage(store: Parameters<typeof issueToken>[0], org: string, role: TokenRole) {
  try {
    return await issueToken(store, org, role);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("org ")) throw new UsageError(error.message);
    throw error;
  }
}
