import type { FastifyRequest } from "fastify";
import { FlowError } from "../errors.ts";
import type { MetadataStore, Scope, TokenRole } from "../store/metadata-store.ts";
import { findUsableToken, sameSecret } from "../tenancy/tokens.ts";
import { GatewayError } from "./error-envelope.ts";

/** Who is calling, resolved from the Adobe headers once per request (spec §2.1). */
export interface Tenant {
  readonly orgId: string;
  readonly sandboxName: string;
  readonly sandboxId: string;
  readonly role: TokenRole;
  readonly tokenId: string;
  readonly apiKey: string;
}

export function scopeOf(tenant: Tenant): Scope {
  return { orgId: tenant.orgId, sandboxName: tenant.sandboxName };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === "" ? undefined : text.trim();
}

export async function authenticate(request: FastifyRequest, store: MetadataStore): Promise<Tenant> {
  const authorization = header(request, "authorization");
  if (authorization === undefined) throw new GatewayError("tokenMissing");
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
  const apiKey = header(request, "x-api-key");
  if (apiKey === undefined) throw new GatewayError("apiKeyMissing");
  if (!bearer) throw new GatewayError("tokenInvalid");
  // Checked before the api key: a revoked or expired token gets 401013 whatever key comes with it.
  const token = await findUsableToken(store, bearer[1]!, Date.now());
  if (!token) throw new GatewayError("tokenInvalid");
  if (!sameSecret(token.apiKey, apiKey)) throw new GatewayError("apiKeyInvalid");
  const orgId = header(request, "x-gw-ims-org-id");
  if (orgId === undefined) throw new GatewayError("orgMissing");
  if (orgId !== token.orgId) {
    throw new FlowError("orgForbidden", `The access token has no access to the organization ${orgId}.`);
  }
  const sandboxName = header(request, "x-sandbox-name")?.toLowerCase() ?? "prod";
  const sandbox = await store.getSandbox(orgId, sandboxName);
  if (!sandbox) {
    throw new FlowError("sandboxNotFound", `Sandbox ${sandboxName} not found in organization ${orgId}.`, {
      sandboxName,
    });
  }
  return { orgId, sandboxName, sandboxId: sandbox.id, role: token.role, tokenId: token.id, apiKey: token.apiKey };
}

export function requireAdmin(tenant: Tenant, action: string): void {
  if (tenant.role !== "admin") {
    throw new FlowError("specAuthorForbidden", `A user token is not authorized to ${action}; use an admin token.`);
  }
}
