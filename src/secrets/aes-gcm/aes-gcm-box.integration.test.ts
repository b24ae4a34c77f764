import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { maskSecretFields, openSecretFields, sealSecretFields, secretMask } from "../schema-secrets.ts";
import { SecretError } from "../secret-box.ts";
import { AesGcmSecretBox } from "./aes-gcm-box.ts";
import { loadSecretBox } from "./load-secret-box.ts";

const box = new AesGcmSecretBox(randomBytes(32));
const tempDir = () => mkdtempSync(path.join(tmpdir(), "inlet-secrets-"));

describe("AesGcmSecretBox", () => {
  it("round-trips a secret in the v1 format", () => {
    const sealed = box.seal("hunter2-ünï", "rec-1");
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]*\.[\w-]+$/);
    expect(sealed).not.toContain("hunter2");
    expect(box.open(sealed, "rec-1")).toBe("hunter2-ünï");
  });

  it("refuses to open under another record id, without echoing the secret", () => {
    const sealed = box.seal("hunter2", "rec-1");
    const error = catchError(() => box.open(sealed, "rec-2"));
    expect(error).toBeInstanceOf(SecretError);
    expect((error as SecretError).code).toBe("openFailed");
    expect(String(error)).not.toContain("hunter2");
    expect(String(error)).not.toContain(sealed.split(".")[3]);
  });

  it("refuses tampered ciphertext and malformed input", () => {
    const parts = box.seal("hunter2", "rec-1").split(".");
    const ct = Buffer.from(parts[3] as string, "base64url");
    ct[0] = (ct[0] as number) ^ 1;
    parts[3] = ct.toString("base64url");
    expect((catchError(() => box.open(parts.join("."), "rec-1")) as SecretError).code).toBe("openFailed");
    expect((catchError(() => box.open("not-sealed", "rec-1")) as SecretError).code).toBe("sealedMalformed");
  });

  it("refuses a key of the wrong length", () => {
    expect((catchError(() => new AesGcmSecretBox(randomBytes(16))) as SecretError).code).toBe("keyInvalid");
  });
});

describe("loadSecretBox", () => {
  it("creates a 0600 key file and reuses it across loads", () => {
    const dataDir = tempDir();
    const sealed = loadSecretBox({ dataDir }).seal("s3cret", "rec-1");
    expect(statSync(path.join(dataDir, "master.key")).mode & 0o777).toBe(0o600);
    expect(loadSecretBox({ dataDir }).open(sealed, "rec-1")).toBe("s3cret");
  });

  it("refuses a key file readable by others", () => {
    const dataDir = tempDir();
    loadSecretBox({ dataDir });
    chmodSync(path.join(dataDir, "master.key"), 0o644);
    const error = catchError(() => loadSecretBox({ dataDir })) as SecretError;
    expect(error.code).toBe("keyFileInsecure");
    expect(error.message).toContain("chmod 600");
  });

  it("refuses a key file of the wrong length", () => {
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, "master.key"), randomBytes(31), { mode: 0o600 });
    expect((catchError(() => loadSecretBox({ dataDir })) as SecretError).code).toBe("keyFileInvalid");
  });

  it("prefers the configured master key over the key file", () => {
    const key = randomBytes(32);
    const sealed = new AesGcmSecretBox(key).seal("x", "r");
    expect(loadSecretBox({ masterKey: key, dataDir: tempDir() }).open(sealed, "r")).toBe("x");
  });
});

describe("secret fields in a JSON Schema", () => {
  const schema = {
    type: "object",
    properties: {
      host: { type: "string" },
      apiKey: { type: "string", format: "password" },
      oauth: {
        type: "object",
        properties: { clientSecret: { type: "string", format: "password" }, clientId: { type: "string" } },
      },
    },
  };
  const params = { host: "h", apiKey: "k1", oauth: { clientSecret: "cs", clientId: "ci" }, extra: 1 };

  it("masks every password field, nested ones included, leaving the input untouched", () => {
    expect(maskSecretFields(params, schema)).toEqual({
      host: "h",
      apiKey: secretMask,
      oauth: { clientSecret: secretMask, clientId: "ci" },
      extra: 1,
    });
    expect(params.apiKey).toBe("k1");
  });

  it("seals password fields only, and opens them back", () => {
    const sealed = sealSecretFields(params, schema, "conn-1", box);
    expect(sealed.apiKey).toMatch(/^v1\./);
    expect(sealed.oauth.clientSecret).toMatch(/^v1\./);
    expect(sealed.oauth.clientId).toBe("ci");
    expect(openSecretFields(sealed, schema, "conn-1", box)).toEqual(params);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}
