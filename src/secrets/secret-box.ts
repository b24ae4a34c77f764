/**
 * Port for secrets at rest. `seal` binds the ciphertext to its owning record id (associated data),
 * so a sealed value copied onto another record fails to open. Format: `v1.<keyId>.<iv>.<ct>.<tag>`
 * (base64url parts), keeping the key id so keys can be rotated.
 */
export interface SecretBox {
  seal(plaintext: string, recordId: string): string;
  open(sealed: string, recordId: string): string;
}

export const secretErrorCodes = [
  "keyFileInsecure",
  "keyFileInvalid",
  "keyInvalid",
  "sealedMalformed",
  "openFailed",
] as const;
export type SecretErrorCode = (typeof secretErrorCodes)[number];

/** Messages never carry plaintext, ciphertext or key material; only the code and a fixed reason. */
export class SecretError extends Error {
  override readonly name = "SecretError";
  constructor(
    readonly code: SecretErrorCode,
    message: string,
  ) {
    super(message);
  }
}
