import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { MetadataStore, TokenRecord, TokenRole } from "../store/metadata-store.ts";

/** What `inlet tokens create --json` prints; the access token is shown once and never stored. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly apiKey: string;
  readonly orgId: string;
  readonly role: TokenRole;
}

const orgIdPattern = /^[A-Za-z0-9][A-Za-z0-9@._-]{0,127}$/;

export function assertValidOrgId(orgId: string): void {
  if (!orgIdPattern.test(orgId)) {
    throw new Error(`org "${orgId}" is not valid: use letters, digits, @ . _ - (e.g. ACME@AdobeOrg), at most 128`);
  }
}

/** SHA-256 is enough: tokens are 256 random bits, so there is nothing to brute-force. */
export function hashToken(accessToken: string): string {
  return createHash("sha256").update(accessToken).digest("hex");
}

export async function issueToken(store: MetadataStore, orgId: string, role: TokenRole): Promise<IssuedToken> {
  assertValidOrgId(orgId);
  await store.ensureOrg(orgId);
  const accessToken = `inlet_${randomBytes(32).toString("base64url")}`;
  const apiKey = `inlet-${randomBytes(12).toString("hex")}`;
  await store.createToken({ orgId, role, apiKey, tokenHash: hashToken(accessToken) });
  return { accessToken, apiKey, orgId, role };
}

export async function findToken(store: MetadataStore, accessToken: string): Promise<TokenRecord | undefined> {
  return store.findTokenByHash(hashToken(accessToken));
}

/** Constant-time comparison for the api key that must accompany a token. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
