import type { Command } from "commander";
import { parseConfig } from "../../config.ts";
import { formatTable } from "../../datasets/format-table.ts";
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
    .option("--expires-in <duration>", "lifetime such as 90m, 12h or 30d (default: never expires)")
    .option("--data-dir <dir>", "data directory (INLET_DATA_DIR)")
    .option("--database-url <url>", "database URL (INLET_DATABASE_URL)")
    .option("--json", "print {accessToken, apiKey, orgId} (and expiresAt with --expires-in) as JSON")
    .action(async (options: StoreOptions & { org: string; role: string; expiresIn?: string; json?: boolean }) => {
      const role = tokenRoles.find((r) => r === options.role);
      if (!role) throw new UsageError(`--role must be one of ${tokenRoles.join(", ")}, got "${options.role}"`);
      const expiresAt =
        options.expiresIn === undefined ? undefined : new Date(Date.now() + parseDuration(options.expiresIn));
      const issued = await withStore(options, (store) => issueTokenOrUsage(store, options.org, role, expiresAt));
      if (options.json) {
        const { accessToken, apiKey, orgId } = issued;
        const expiry = issued.expiresAt === undefined ? {} : { expiresAt: issued.expiresAt.toISOString() };
        ctx.stdout.write(`${JSON.stringify({ accessToken, apiKey, orgId, ...expiry })}\n`);
        return;
      }
      ctx.stdout.write(
        `Created ${role === "admin" ? "an" : "a"} ${role} token for ${issued.orgId} (shown once; only its hash is stored):\n` +
          `  Authorization: Bearer ${issued.accessToken}\n  x-api-key: ${issued.apiKey}\n  x-gw-ims-org-id: ${issued.orgId}\n` +
          (issued.expiresAt === undefined ? "" : `It expires at ${instant(issued.expiresAt.getTime())}.\n`),
      );
    });
  tokens
    .command("list")
    .description("list tokens, newest first, with their api keys (never the tokens themselves)")
    .option("--org <org>", "only this IMS org's tokens")
    .option("--data-dir <dir>", "data directory (INLET_DATA_DIR)")
    .option("--database-url <url>", "database URL (INLET_DATABASE_URL)")
    .option("--json", "print [{apiKey, orgId, role, createdAt, expiresAt, revokedAt}] as JSON")
    .action(async (options: StoreOptions & { org?: string; json?: boolean }) => {
      const list = await withStore(options, (store) => store.listTokens(options.org));
      if (options.json) {
        const json = list.map((token) => ({
          apiKey: token.apiKey,
          orgId: token.orgId,
          role: token.role,
          createdAt: new Date(token.createdAt).toISOString(),
          expiresAt: token.expiresAt === undefined ? null : new Date(token.expiresAt).toISOString(),
          revokedAt: token.revokedAt === undefined ? null : new Date(token.revokedAt).toISOString(),
        }));
        ctx.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      const rows = list.map((token) => ({
        "api key": token.apiKey,
        org: token.orgId,
        role: token.role,
        created: instant(token.createdAt),
        expires: token.expiresAt === undefined ? "never" : instant(token.expiresAt),
        revoked: token.revokedAt === undefined ? "-" : instant(token.revokedAt),
      }));
      ctx.stdout.write(
        `${formatTable({ columns: ["api key", "org", "role", "created", "expires", "revoked"], rows })}\n`,
      );
    });
  tokens
    .command("revoke <apiKey>")
    .description("revoke the token with this api key; it stops authenticating at once")
    .option("--data-dir <dir>", "data directory (INLET_DATA_DIR)")
    .option("--database-url <url>", "database URL (INLET_DATABASE_URL)")
    .action(async (apiKey: string, options: StoreOptions) => {
      const revoked = await withStore(options, (store) => store.revokeToken(apiKey, new Date()));
      if (!revoked) throw new UsageError(`no active token has api key "${apiKey}" (unknown, or revoked already)`);
      ctx.stdout.write(`Revoked the token with api key ${apiKey}.\n`);
    });
}

const durationUnits = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--expires-in`: a whole number of minutes, hours or days, in milliseconds. */
function parseDuration(text: string): number {
  const match = /^([1-9]\d{0,5})([mhd])$/.exec(text);
  if (!match) {
    throw new UsageError(
      `--expires-in must be a whole number (1 to 999999) of minutes, hours or days, such as 90m, 12h or 30d, got "${text}"`,
    );
  }
  return Number(match[1]) * durationUnits[match[2] as keyof typeof durationUnits];
}

/** UTC to the second for people to read; --json keeps the milliseconds. */
function instant(epochMillis: number): string {
  return new Date(epochMillis).toISOString().replace(/\.\d{3}Z$/, "Z");
}

async function issueTokenOrUsage(
  store: Parameters<typeof issueToken>[0],
  org: string,
  role: TokenRole,
  expiresAt: Date | undefined,
) {
  try {
    return await issueToken(store, org, role, { expiresAt });
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("org ")) throw new UsageError(error.message);
    throw error;
  }
}
