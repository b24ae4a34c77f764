import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { MetadataStore, TokenRecord, TokenRole } from "../store/metadata-store.ts";

/** What `inlet tokens create --json` prints; the access token is shown once and never stored. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly apiKey: string;
  readonly orgId: string;
  readonly role: TokenRole;
  /** Absent when the token never expires. */
  readonly expiresAt?: Date;
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

export async function issueToken(
  store: MetadataStore,
  orgId: string,
  role: TokenRole,
  options: { readonly expiresAt?: Date } = {},
): Promise<IssuedToken> {
  assertValidOrgId(orgId);
  await store.ensureOrg(orgId);
  const accessToken = `inlet_${randomBytes(32).toString("base64url")}`;
  const apiKey = `inlet-${randomBytes(12).toString("hex")}`;
  const { expiresAt } = options;
  await store.createToken({ orgId, role, apiKey, tokenHash: hashToken(accessToken), expiresAt });
  return { accessToken, apiKey, orgId, role, expiresAt };
}

/**
 * The token an access token names, if it may still be used at `now` (epoch ms). A revoked or
 * expired token is as unknown as a forged one, so a caller cannot tell which it holds.
 */
export async function findUsableToken(
  store: MetadataStore,
  accessToken: string,
  now: number,
): Promise<TokenRecord | undefined> {
  const token = await store.findTokenByHash(hashToken(accessToken));
  return token !== undefined && isUsable(token, now) ? token : undefined;
}

/** Not revoked, and not expired: a token stops working at the very millisecond it expires. */
export function isUsable(token: TokenRecord, now: number): boolean {
  return token.revokedAt === undefined && (token.expiresAt === undefined || now < token.expiresAt);
}

/** Constant-time comparison for the api key that must accompany a token. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
