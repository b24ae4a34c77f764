import { describe, expect, it } from "vitest";
import { redactUrl } from "./redact-url.ts";

describe("redactUrl", () => {
  it("hides the password and keeps the user, host, port and database", () => {
    expect(redactUrl("postgres://inlet:s3cr%40t@db.example:5433/inlet")).toBe(
      "postgres://inlet:***@db.example:5433/inlet",
    );
  });

  it("hides a password given as a query parameter", () => {
    const redacted = redactUrl("postgresql://db.example/inlet?user=inlet&password=s3cret&sslmode=require");
    expect(redacted).not.toContain("s3cret");
    expect(redacted).toContain("sslmode=require");
  });

  it("leaves a URL without a password unchanged", () => {
    expect(redactUrl("postgres://postgres@127.0.0.1:5432/postgres")).toBe(
      "postgres://postgres@127.0.0.1:5432/postgres",
    );
  });

  it("still hides the credentials of a URL it cannot parse", () => {
    expect(redactUrl("postgres://inlet:s3cret@[bad host/inlet")).not.toContain("s3cret");
  });
});
