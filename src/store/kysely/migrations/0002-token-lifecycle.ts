import type { Kysely } from "kysely";

/**
 * Tokens that expire and can be revoked. The tokens table has had created_at since 0001. One
 * ADD COLUMN per statement, because SQLite's ALTER TABLE takes only one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("tokens").addColumn("expires_at", "bigint").execute();
  await db.schema.alterTable("tokens").addColumn("revoked_at", "bigint").execute();
  // revokeToken addresses a token by its api key, so a key must name exactly one token.
  await db.schema.createIndex("tokens_api_key").on("tokens").column("api_key").unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("tokens_api_key").execute();
  await db.schema.alterTable("tokens").dropColumn("revoked_at").execute();
  await db.schema.alterTable("tokens").dropColumn("expires_at").execute();
}
