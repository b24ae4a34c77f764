import type { Kysely } from "kysely";

/**
 * The first schema. Only types both dialects share (text, bigint) and no dialect-specific SQL,
 * so this one module migrates SQLite and PostgreSQL alike. Never edit a released migration:
 * add the next numbered module instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("resources")
    .addColumn("kind", "text", (col) => col.notNull())
    .addColumn("id", "text", (col) => col.notNull())
    .addColumn("org_id", "text", (col) => col.notNull())
    .addColumn("sandbox_name", "text", (col) => col.notNull())
    .addColumn("parent_id", "text")
    .addColumn("etag", "text", (col) => col.notNull())
    .addColumn("doc", "text", (col) => col.notNull())
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .addColumn("updated_at", "bigint", (col) => col.notNull())
    .addPrimaryKeyConstraint("resources_pk", ["kind", "id"])
    .execute();
  // Serves listResources: equality on the scope, then already in (created_at, id) order.
  await db.schema
    .createIndex("resources_scope_order")
    .on("resources")
    .columns(["kind", "org_id", "sandbox_name", "created_at", "id"])
    .execute();
  // Serves countByParent and listResources({ parentId }).
  await db.schema.createIndex("resources_parent").on("resources").columns(["kind", "parent_id"]).execute();

  await db.schema
    .createTable("tokens")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("org_id", "text", (col) => col.notNull())
    .addColumn("role", "text", (col) => col.notNull())
    .addColumn("api_key", "text", (col) => col.notNull())
    .addColumn("token_hash", "text", (col) => col.notNull().unique())
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .execute();

  await db.schema
    .createTable("sandboxes")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("org_id", "text", (col) => col.notNull())
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .addUniqueConstraint("sandboxes_org_name", ["org_id", "name"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("sandboxes").execute();
  await db.schema.dropTable("tokens").execute();
  await db.schema.dropTable("resources").execute();
}
