import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { type SecretBox, SecretError } from "../secret-box.ts";
import { AesGcmSecretBox } from "./aes-gcm-box.ts";

export const keyFileName = "master.key";

/** The master key from config, else `<dataDir>/master.key` (32 raw bytes, mode 0600), created on first use. */
export function loadSecretBox(options: { masterKey?: Buffer | undefined; dataDir: string }): SecretBox {
  if (options.masterKey) return new AesGcmSecretBox(options.masterKey);
  return new AesGcmSecretBox(readOrCreateKeyFile(path.join(options.dataDir, keyFileName)));
}

function readOrCreateKeyFile(file: string): Buffer {
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    const fd = openSync(file, "wx", 0o600); // "wx": never overwrite a key another process just wrote
    try {
      writeSync(fd, randomBytes(32));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SecretError(
      "keyFileInsecure",
      `key file ${file} has mode ${mode.toString(8)}; it must be readable by its owner only (chmod 600)`,
    );
  }
  const key = readFileSync(file);
  if (key.length !== 32) {
    throw new SecretError("keyFileInvalid", `key file ${file} must hold exactly 32 bytes, found ${key.length}`);
  }
  return key;
}
