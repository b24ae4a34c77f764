import type { StoredResource } from "../store/metadata-store.ts";
import { quoteEtag } from "./etag.ts";
import type { Tenant } from "./tenant.ts";

/** Audit fields stamped into the document on create and update. */
export function authorship(tenant: Tenant, existing?: Readonly<Record<string, unknown>>): Record<string, string> {
  const user = `${tenant.tokenId}@InletToken`;
  return {
    createdBy: typeof existing?.createdBy === "string" ? existing.createdBy : user,
    createdClient: typeof existing?.createdClient === "string" ? existing.createdClient : tenant.apiKey,
    updatedBy: user,
    updatedClient: tenant.apiKey,
  };
}

/**
 * A global spec as Adobe shows it: its own `version` ("1.0") stays, the etag is added, and the
 * caller's org and sandbox are echoed as Adobe's responses do (spec §1 [CONFLICT]).
 */
export function presentSpec(resource: StoredResource, tenant: Tenant): Record<string, unknown> {
  return {
    ...resource.doc,
    id: resource.id,
    createdAt: resource.createdAt,
    updatedAt: resource.updatedAt,
    imsOrgId: tenant.orgId,
    sandboxId: tenant.sandboxId,
    sandboxName: tenant.sandboxName,
    etag: quoteEtag(resource.etag),
  };
}

/** An instance resource: `version` and `etag` both hold the quoted etag (spec §1.1). */
export function presentInstance(resource: StoredResource, tenant: Tenant): Record<string, unknown> {
  return {
    ...resource.doc,
    id: resource.id,
    createdAt: resource.createdAt,
    updatedAt: resource.updatedAt,
    imsOrgId: resource.scope.orgId,
    sandboxId: tenant.sandboxId,
    sandboxName: resource.scope.sandboxName,
    version: quoteEtag(resource.etag),
    etag: quoteEtag(resource.etag),
  };
}
