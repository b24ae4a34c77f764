import { describe, expect, it } from "vitest";
import { fullJitterDelay, parseRetryAfter } from "./backoff.ts";

describe("backoff", () => {
  it("stays within the exponential ceiling and the cap", () => {
    expect(fullJitterDelay(3, 100, 10_000, () => 0.999)).toBe(799);
    expect(fullJitterDelay(20, 100, 5_000, () => 0.999)).toBe(4995);
    expect(fullJitterDelay(3, 100, 10_000, () => 0)).toBe(0);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2024-01-01T00:00:00Z");
    expect(parseRetryAfter("2", now)).toBe(2000);
    expect(parseRetryAfter("Mon, 01 Jan 2024 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});
