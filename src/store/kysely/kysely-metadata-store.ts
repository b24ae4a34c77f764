import { randomUUID } from "node:crypto";
import { type Expression, type ExpressionBuilder, Kysely, type SqlBool } from "kysely";
import { FlowError } from "../../errors.ts";
import type {
  CreateResourceInput,
  MetadataStore,
  ResourceKind,
  SandboxRecord,
  Scope,
  StoredResource,
  TokenRecord,
  TokenRole,
  UpdateResourceInput,
} from "../metadata-store.ts";
import { migrateToLatest } from "./migrate.ts";
import { toInteger, tokenColumns, toSandboxRecord, toStoredResource, toTokenRecord } from "./rows.ts";
import type { InletDatabase } from "./schema.ts";
import type { StoreDialect } from "./store-dialect.ts";

export interface KyselyMetadataStoreOptions {
  /** The clock for createdAt/updatedAt; tests pass a controllable one. Defaults to Date.now. */
  readonly now?: () => number;
}

/**
 * The one MetadataStore implementation, for every dialect. Each write is a single statement
 * (no interactive transactions), so it is atomic on both dialects and never holds a SQLite
 * write lock across an await.
 */
export class KyselyMetadataStore implements MetadataStore {
  readonly #dialect: StoreDialect;
  readonly #db: Kysely<InletDatabase>;
  readonly #now: () => number;
  #closed = false;

  constructor(dialect: StoreDialect, options: KyselyMetadataStoreOptions = {}) {
    this.#dialect = dialect;
    this.#db = new Kysely<InletDatabase>({ dialect: dialect.dialect });
    this.#now = options.now ?? Date.now;
  }

  async migrate(): Promise<void> {
    await this.#dialect.exclusive(() => migrateToLatest(this.#db));
  }

  async close(): Promise<void> {
    if (this.#closed) return; // pg.Pool#end throws when called twice
    this.#closed = true;
    await this.#db.destroy();
  }

  async createResource(input: CreateResourceInput): Promise<StoredResource> {
    const now = this.#now();
    const row = {
      kind: input.kind,
      id: input.id,
      org_id: input.scope.orgId,
      sandbox_name: input.scope.sandboxName,
      parent_id: input.parentId ?? null,
      etag: randomUUID(),
      doc: JSON.stringify(input.doc),
      created_at: now,
      updated_at: now,
    };
    try {
      await this.#db.insertInto("resources").values(row).execute();
    } catch (error) {
      if (!this.#dialect.isUniqueViolation(error)) throw error;
      throw new FlowError("badRequest", `A ${input.kind} resource with id ${input.id} exists already.`, {
        id: input.id,
        type: input.kind,
      });
    }
    return toStoredResource(row);
  }

  async getResource(kind: ResourceKind, scope: Scope, id: string): Promise<StoredResource | undefined> {
    const row = await this.#db
      .selectFrom("resources")
      .selectAll()
      .where((eb) => matchResource(eb, kind, scope, id))
      .executeTakeFirst();
    return row === undefined ? undefined : toStoredResource(row);
  }

  async listResources(
    kind: ResourceKind,
    scope: Scope,
    options: { readonly parentId?: string } = {},
  ): Promise<StoredResource[]> {
    let query = this.#db
      .selectFrom("resources")
      .selectAll()
      .where("kind", "=", kind)
      .where("org_id", "=", scope.orgId)
      .where("sandbox_name", "=", scope.sandboxName);
    if (options.parentId !== undefined) query = query.where("parent_id", "=", options.parentId);
    const rows = await query.orderBy("created_at").orderBy("id").execute();
    return rows.map(toStoredResource);
  }

  async countByParent(kind: ResourceKind, parentId: string): Promise<number> {
    const { count } = await this.#db
      .selectFrom("resources")
      .select((eb) => eb.fn.countAll<number | string | bigint>().as("count"))
      .where("kind", "=", kind)
      .where("parent_id", "=", parentId)
      .executeTakeFirstOrThrow();
    return toInteger(count);
  }

  async updateResource(input: UpdateResourceInput): Promise<StoredResource> {
    const { kind, scope, id, expectedEtag } = input;
    // One UPDATE … WHERE etag = expected RETURNING: the database decides the race, not us.
    const row = await this.#db
      .updateTable("resources")
      .set({
        doc: JSON.stringify(input.doc),
        etag: randomUUID(),
        updated_at: this.#now(),
        ...(input.parentId === undefined ? {} : { parent_id: input.parentId }),
      })
      .where((eb) => matchResource(eb, kind, scope, id, expectedEtag))
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) return toStoredResource(row);
    // No row changed: find out why, for the caller's 404 or 412.
    const current = await this.getResource(kind, scope, id);
    if (current === undefined || expectedEtag === undefined) throw notFound(kind, id);
    throw versionMismatch(kind, id, expectedEtag, current.etag);
  }

  async deleteResource(kind: ResourceKind, scope: Scope, id: string, expectedEtag?: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom("resources")
      .where((eb) => matchResource(eb, kind, scope, id, expectedEtag))
      .executeTakeFirst();
    if (result.numDeletedRows > 0n) return true;
    if (expectedEtag === undefined) return false;
    const current = await this.getResource(kind, scope, id);
    if (current === undefined) return false;
    throw versionMismatch(kind, id, expectedEtag, current.etag);
  }

  async createToken(input: {
    readonly orgId: string;
    readonly role: TokenRole;
    readonly apiKey: string;
    readonly tokenHash: string;
    readonly expiresAt?: Date;
  }): Promise<TokenRecord> {
    const row = {
      id: randomUUID(),
      org_id: input.orgId,
      role: input.role,
      api_key: input.apiKey,
      token_hash: input.tokenHash,
      created_at: this.#now(),
      expires_at: input.expiresAt === undefined ? null : toInteger(input.expiresAt.getTime()),
      revoked_at: null,
    };
    await this.#db.insertInto("tokens").values(row).execute();
    return toTokenRecord(row);
  }

  async findTokenByHash(tokenHash: string): Promise<TokenRecord | undefined> {
    const row = await this.#db
      .selectFrom("tokens")
      .select(tokenColumns)
      .where("token_hash", "=", tokenHash)
      .executeTakeFirst();
    return row === undefined ? undefined : toTokenRecord(row);
  }

  async listTokens(orgId?: string): Promise<TokenRecord[]> {
    let query = this.#db.selectFrom("tokens").select(tokenColumns);
    if (orgId !== undefined) query = query.where("org_id", "=", orgId);
    const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").execute();
    return rows.map(toTokenRecord);
  }

  async revokeToken(apiKey: string, at: Date): Promise<boolean> {
    // "revoked_at IS NULL" keeps the first revocation's time and tells a repeat apart.
    const result = await this.#db
      .updateTable("tokens")
      .set({ revoked_at: toInteger(at.getTime()) })
      .where("api_key", "=", apiKey)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async ensureOrg(orgId: string): Promise<void> {
    // ON CONFLICT DO NOTHING rather than check-then-insert: two processes may race here.
    await this.#db
      .insertInto("sandboxes")
      .values({ id: randomUUID(), org_id: orgId, name: "prod", created_at: this.#now() })
      .onConflict((conflict) => conflict.columns(["org_id", "name"]).doNothing())
      .execute();
  }

  async createSandbox(orgId: string, name: string): Promise<SandboxRecord> {
    const row = { id: randomUUID(), org_id: orgId, name, created_at: this.#now() };
    try {
      await this.#db.insertInto("sandboxes").values(row).execute();
    } catch (error) {
      if (!this.#dialect.isUniqueViolation(error)) throw error;
      throw new FlowError("badRequest", `Sandbox "${name}" exists already in org ${orgId}.`, { orgId, name });
    }
    return toSandboxRecord(row);
  }

  async getSandbox(orgId: string, name: string): Promise<SandboxRecord | undefined> {
    const row = await this.#db
      .selectFrom("sandboxes")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("name", "=", name)
      .executeTakeFirst();
    return row === undefined ? undefined : toSandboxRecord(row);
  }

  async listSandboxes(orgId: string): Promise<SandboxRecord[]> {
    const rows = await this.#db
      .selectFrom("sandboxes")
      .selectAll()
      .where("org_id", "=", orgId)
      .orderBy("created_at")
      .orderBy("name")
      .execute();
    return rows.map(toSandboxRecord);
  }
}

/** The scope is part of every lookup: another org's or sandbox's resource is simply not found. */
function matchResource(
  eb: ExpressionBuilder<InletDatabase, "resources">,
  kind: ResourceKind,
  scope: Scope,
  id: string,
  expectedEtag?: string,
): Expression<SqlBool> {
  return eb.and([
    eb("kind", "=", kind),
    eb("id", "=", id),
    eb("org_id", "=", scope.orgId),
    eb("sandbox_name", "=", scope.sandboxName),
    ...(expectedEtag === undefined ? [] : [eb("etag", "=", expectedEtag)]),
  ]);
}

function notFound(kind: ResourceKind, id: string): FlowError {
  return new FlowError(
    "notFound",
    `The requested ${kind} resource ${id} is not found. Verify the resource ID before trying again.`,
    { id, type: kind },
  );
}

function versionMismatch(kind: ResourceKind, id: string, supplied: string, current: string): FlowError {
  return new FlowError(
    "versionMismatch",
    `Supplied version=["${supplied}"] does not match the current version on entity=["${current}"]`,
    { id, type: kind },
  );
}
