import type { Selectable } from "kysely";
import {
  type JsonObject,
  type ResourceKind,
  resourceKinds,
  type SandboxRecord,
  type StoredResource,
  type TokenRecord,
  tokenRoles,
} from "../metadata-store.ts";
import type { ResourcesTable, SandboxesTable, TokensTable } from "./schema.ts";

/** Row to record mapping. Values are checked, not cast: a bad row is a bug worth a loud error. */
export function toStoredResource(row: Selectable<ResourcesTable>): StoredResource {
  return {
    kind: toKind(row.kind),
    id: row.id,
    scope: { orgId: row.org_id, sandboxName: row.sandbox_name },
    etag: row.etag,
    doc: parseDoc(row.doc, row.kind, row.id),
    createdAt: toInteger(row.created_at),
    updatedAt: toInteger(row.updated_at),
    parentId: row.parent_id,
  };
}

/** The token columns a record is made of: the hash is never read back out of the database. */
export const tokenColumns = ["id", "org_id", "role", "api_key", "created_at", "expires_at", "revoked_at"] as const;

export function toTokenRecord(row: Pick<Selectable<TokensTable>, (typeof tokenColumns)[number]>): TokenRecord {
  const role = tokenRoles.find((candidate) => candidate === row.role);
  if (role === undefined) throw new Error(`token ${row.id} has an unknown role "${row.role}"`);
  return {
    id: row.id,
    orgId: row.org_id,
    role,
    apiKey: row.api_key,
    createdAt: toInteger(row.created_at),
    ...(row.expires_at === null ? {} : { expiresAt: toInteger(row.expires_at) }),
    ...(row.revoked_at === null ? {} : { revokedAt: toInteger(row.revoked_at) }),
  };
}

export function toSandboxRecord(row: Selectable<SandboxesTable>): SandboxRecord {
  return { id: row.id, orgId: row.org_id, name: row.name, createdAt: toInteger(row.created_at) };
}

/** BIGINT arrives as a number (our pg type parser, better-sqlite3); Number() guards a driver that differs. */
export function toInteger(value: number | string | bigint): number {
  const millis = Number(value);
  if (!Number.isSafeInteger(millis)) throw new Error(`not a safe integer: ${String(value)}`);
  return millis;
}

function toKind(value: string): ResourceKind {
  const kind = resourceKinds.find((candidate) => candidate === value);
  if (kind === undefined) throw new Error(`unknown resource kind "${value}" in the store`);
  return kind;
}

function parseDoc(text: string, kind: string, id: string): JsonObject {
  const value: unknown = JSON.parse(text);
  if (!isJsonObject(value)) throw new Error(`${kind} ${id}: stored document is not a JSON object`);
  return value;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
