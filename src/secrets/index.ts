export { AesGcmSecretBox } from "./aes-gcm/aes-gcm-box.ts";
export { keyFileName, loadSecretBox } from "./aes-gcm/load-secret-box.ts";
export { maskSecretFields, openSecretFields, sealSecretFields, secretMask } from "./schema-secrets.ts";
export { type SecretBox, SecretError, type SecretErrorCode, secretErrorCodes } from "./secret-box.ts";
