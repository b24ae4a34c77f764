import { FlowError } from "../errors.ts";
import type { JsonObject, MetadataStore, ResourceKind, Scope, StoredResource } from "../store/metadata-store.ts";

/** Adobe's "resource not found" (1101-404), also for a referenced id another org or sandbox owns. */
export function notFound(kind: ResourceKind, id: string): FlowError {
  return new FlowError(
    "notFound",
    `The requested ${kind} resource ${id} is not found. Verify the resource ID before trying again.`,
    { id, type: kind },
  );
}

export async function loadInScope(
  store: MetadataStore,
  kind: ResourceKind,
  scope: Scope,
  id: string,
): Promise<StoredResource> {
  const resource = await store.getResource(kind, scope, id);
  if (!resource) throw notFound(kind, id);
  return resource;
}

/** Deep equality of JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  const left = a as JsonObject;
  const right = b as JsonObject;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every((key) => Object.hasOwn(right, key) && sameJson(left[key], right[key]))
  );
}

/** The copy of `doc` with only `fields`, dropping undefined ones: stored documents hold known fields only. */
export function pick(doc: JsonObject, fields: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const field of fields) if (doc[field] !== undefined) out[field] = doc[field];
  return out;
}

export const instanceStates = ["enabled", "disabled"] as const;
