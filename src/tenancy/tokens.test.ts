import { describe, expect, it } from "vitest";
import type { TokenRecord } from "../store/metadata-store.ts";
import { isUsable } from "./tokens.ts";

const token: TokenRecord = { id: "t1", orgId: "ACME@AdobeOrg", role: "user", apiKey: "key-1", createdAt: 1_000 };

describe("isUsable", () => {
  it("accepts a token without expiry or revocation at any time", () => {
    expect(isUsable(token, 0)).toBe(true);
    expect(isUsable(token, Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it("accepts a token until the millisecond it expires, and not from then on", () => {
    const expiring = { ...token, expiresAt: 5_000 };
    expect(isUsable(expiring, 4_999)).toBe(true);
    expect(isUsable(expiring, 5_000)).toBe(false);
    expect(isUsable(expiring, 5_001)).toBe(false);
  });

  it("refuses a revoked token, even before its expiry", () => {
    expect(isUsable({ ...token, revokedAt: 2_000 }, 3_000)).toBe(false);
    expect(isUsable({ ...token, revokedAt: 2_000, expiresAt: 9_000 }, 3_000)).toBe(false);
  });
});
