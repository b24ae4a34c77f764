/**
 * The tables behind the metadata store, as Kysely sees them. One set of types serves both
 * dialects: every column is TEXT or BIGINT, which SQLite and PostgreSQL store alike.
 */
export interface InletDatabase {
  resources: ResourcesTable;
  tokens: TokensTable;
  sandboxes: SandboxesTable;
}

export interface ResourcesTable {
  /** The resource kind, one of `resourceKinds` (e.g. "flows"); first half of the primary key. */
  kind: string;
  /** The resource id, unique within its kind across every scope; second half of the primary key. */
  id: string;
  /** The owning IMS org; "" for global resources (connection and flow specs). */
  org_id: string;
  /** The owning sandbox within the org; "" for global resources. */
  sandbox_name: string;
  /** The indexed owner reference (a run's flow, a connection's spec), or null. */
  parent_id: string | null;
  /** Opaque version, a fresh random UUID on every create and update; compared on update/delete. */
  etag: string;
  /** The JSON body as TEXT, not JSON/JSONB, so the author's key order survives on both dialects. */
  doc: string;
  /** Creation time in epoch milliseconds; never changes. */
  created_at: number;
  /** Last update time in epoch milliseconds. */
  updated_at: number;
}

export interface TokensTable {
  /** Random UUID; lets a token be named (and later revoked) without knowing its secret. */
  id: string;
  /** The IMS org the token acts for. */
  org_id: string;
  /** "admin" or "user" (`tokenRoles`); validated when read, not by a CHECK, so roles can grow. */
  role: string;
  /** The x-api-key that must accompany the token; not secret on its own. Unique since 0002. */
  api_key: string;
  /** Hex SHA-256 of the access token; unique. The secret itself is never stored. */
  token_hash: string;
  /** Issue time in epoch milliseconds. */
  created_at: number;
  /** When the token stops authenticating, in epoch milliseconds; null for never (added by 0002). */
  expires_at: number | null;
  /** When the token was revoked, in epoch milliseconds; null while it is not (added by 0002). */
  revoked_at: number | null;
}

export interface SandboxesTable {
  /** Random UUID. */
  id: string;
  /** The IMS org owning the sandbox; (org_id, name) is unique. */
  org_id: string;
  /** The sandbox name as sent in x-sandbox-name, e.g. "prod". */
  name: string;
  /** Creation time in epoch milliseconds. */
  created_at: number;
}
