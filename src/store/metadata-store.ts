/**
 * The metadata store port. One implementation through Kysely serves SQLite (./sqlite) and
 * PostgreSQL (./postgres); everything above this interface is database-agnostic and knows
 * nothing of SQL. Resources are JSON documents with a few indexed columns, because the Flow
 * Service's own shapes are documents (and its list filters reach into nested paths).
 */
export const resourceKinds = [
  "connectionSpecs",
  "flowSpecs",
  "connections",
  "sourceConnections",
  "targetConnections",
  "flows",
  "runs",
  "dataSets",
  "batches",
  "mappingSets",
] as const;
export type ResourceKind = (typeof resourceKinds)[number];

export type JsonObject = { [key: string]: unknown };

/** Instance resources live in one (org, sandbox); connection specs and flow specs are global. */
export interface Scope {
  readonly orgId: string;
  readonly sandboxName: string;
}
export const globalScope: Scope = Object.freeze({ orgId: "", sandboxName: "" });

export interface StoredResource {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly scope: Scope;
  /** Opaque, unquoted; changes on every update. The API quotes it on the wire. */
  readonly etag: string;
  /** The resource body without the metadata the store owns (id, etag, timestamps). */
  readonly doc: JsonObject;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** An indexed reference to the owner, e.g. a run's flow id or a connection's spec id. */
  readonly parentId: string | null;
}

export interface CreateResourceInput {
  readonly kind: ResourceKind;
  readonly scope: Scope;
  readonly id: string;
  readonly doc: JsonObject;
  readonly parentId?: string | null;
}

export interface UpdateResourceInput {
  readonly kind: ResourceKind;
  readonly scope: Scope;
  readonly id: string;
  readonly doc: JsonObject;
  /** When given, the update happens only if the stored etag still equals it (compare-and-set). */
  readonly expectedEtag?: string | undefined;
  readonly parentId?: string | null;
}

export const tokenRoles = ["admin", "user"] as const;
export type TokenRole = (typeof tokenRoles)[number];

/** A token as the store describes it: never its secret, nor the secret's hash. Times in epoch ms. */
export interface TokenRecord {
  readonly id: string;
  readonly orgId: string;
  readonly role: TokenRole;
  readonly apiKey: string;
  readonly createdAt: number;
  /** Absent when the token never expires. */
  readonly expiresAt?: number;
  /** Absent while the token is not revoked. */
  readonly revokedAt?: number;
}

export interface SandboxRecord {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  readonly createdAt: number;
}

export interface MetadataStore {
  /** Applies pending schema migrations; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Throws FlowError("badRequest") if (kind, id) exists already. */
  createResource(input: CreateResourceInput): Promise<StoredResource>;
  getResource(kind: ResourceKind, scope: Scope, id: string): Promise<StoredResource | undefined>;
  /** Every resource of a kind in a scope, oldest first (createdAt, then id). */
  listResources(kind: ResourceKind, scope: Scope, options?: { readonly parentId?: string }): Promise<StoredResource[]>;
  /** How many resources of a kind, in any scope, point at parentId ("is this still in use?"). */
  countByParent(kind: ResourceKind, parentId: string): Promise<number>;
  /**
   * Atomic compare-and-set: throws FlowError("notFound") when absent and
   * FlowError("versionMismatch") when expectedEtag no longer matches. Returns the new row.
   */
  updateResource(input: UpdateResourceInput): Promise<StoredResource>;
  /** False when absent; throws FlowError("versionMismatch") on a stale expectedEtag. */
  deleteResource(kind: ResourceKind, scope: Scope, id: string, expectedEtag?: string): Promise<boolean>;

  /**
   * Stores a token by the SHA-256 hash of its secret; the secret itself is never stored. Throws
   * when the hash or the api key is taken already.
   */
  createToken(input: {
    readonly orgId: string;
    readonly role: TokenRole;
    readonly apiKey: string;
    readonly tokenHash: string;
    /** No expiry when omitted. */
    readonly expiresAt?: Date;
  }): Promise<TokenRecord>;
  /** Finds revoked and expired tokens too: whether a token may still be used is the caller's call. */
  findTokenByHash(tokenHash: string): Promise<TokenRecord | undefined>;
  /** Every token, or one org's, newest first (createdAt, then id, descending), revoked and expired ones too. */
  listTokens(orgId?: string): Promise<TokenRecord[]>;
  /** Marks the token with this api key revoked at `at`; false when there is none or it is revoked already. */
  revokeToken(apiKey: string, at: Date): Promise<boolean>;

  /** Creates the org's `prod` sandbox if missing (idempotent). */
  ensureOrg(orgId: string): Promise<void>;
  /** Throws FlowError("badRequest") when the sandbox exists already. */
  createSandbox(orgId: string, name: string): Promise<SandboxRecord>;
  getSandbox(orgId: string, name: string): Promise<SandboxRecord | undefined>;
  listSandboxes(orgId: string): Promise<SandboxRecord[]>;
}
