import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { type SecretBox, SecretError } from "../secret-box.ts";

const keyBytes = 32;
const ivBytes = 12; // the GCM standard nonce size
const tagBytes = 16;

/** AES-256-GCM with a random IV per seal and the record id as associated data. */
export class AesGcmSecretBox implements SecretBox {
  readonly keyId: string;
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== keyBytes) throw new SecretError("keyInvalid", `master key must be ${keyBytes} bytes`);
    this.#key = Buffer.from(key);
    // A short non-secret fingerprint, so sealed values name the key that opens them.
    this.keyId = createHash("sha256").update("inlet-key-id").update(key).digest("base64url").slice(0, 8);
  }

  seal(plaintext: string, recordId: string): string {
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv, { authTagLength: tagBytes });
    cipher.setAAD(Buffer.from(recordId, "utf8"));
    const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [
      "v1",
      this.keyId,
      iv.toString("base64url"),
      ct.toString("base64url"),
      cipher.getAuthTag().toString("base64url"),
    ].join(".");
  }

  open(sealed: string, recordId: string): string {
    const parts = sealed.split(".");
    if (parts.length !== 5 || parts[0] !== "v1") throw new SecretError("sealedMalformed", "sealed secret is malformed");
    const [, keyId, ivText, ctText, tagText] = parts as [string, string, string, string, string];
    if (keyId !== this.keyId) throw new SecretError("openFailed", "sealed secret was made with another key");
    const iv = Buffer.from(ivText, "base64url");
    const tag = Buffer.from(tagText, "base64url");
    if (iv.length !== ivBytes || tag.length !== tagBytes)
      throw new SecretError("sealedMalformed", "sealed secret is malformed");
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, iv, { authTagLength: tagBytes });
      decipher.setAAD(Buffer.from(recordId, "utf8"));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ctText, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      // Node's message ("unable to authenticate data") is safe, but a fixed one is certain to be.
      throw new SecretError("openFailed", "sealed secret failed authentication (wrong record or tampered)");
    }
  }
}
