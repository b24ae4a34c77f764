/**
 * Secrets in connection params. Sealing follows the schema: every `format: "password"` property
 * (at any object depth), plus the top-level names the engine always treats as secrets (a spec that
 * forgets `format` on `clientSecret` must not store it in clear). Opening and masking recognise
 * sealed values by the SecretBox format instead of re-reading the schema, so a connection spec
 * edited after a connection was stored can neither leak a secret nor hand ciphertext to a source:
 * what was sealed is what is opened and masked.
 */
import { FlowError, type Problem } from "../errors.ts";
import { type SecretBox, sealSecretFields, secretMask } from "../secrets/index.ts";

type Json = Record<string, unknown>;

/** The engine's list (src/engine/auth/index.ts): secret whatever the schema says. */
const alwaysSecret = /^(password|clientSecret|accessToken|refreshToken|authKey\d+|apiKey|token|secret)$/i;

/** `v1.<keyId>.<iv>.<ciphertext>.<tag>`, base64url parts (src/secrets/secret-box.ts). */
const sealedPattern = /^v1\.[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/;

export { secretMask };

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function isSealed(value: unknown): value is string {
  return typeof value === "string" && sealedPattern.test(value);
}

/** The schema used for sealing: the given one with the well-known secret names marked as passwords. */
export function sealingSchema(schema: unknown, params: Json): Json {
  const base = isObject(schema) ? schema : {};
  const properties: Json = isObject(base.properties) ? { ...base.properties } : {};
  for (const name of Object.keys(params)) {
    if (!alwaysSecret.test(name)) continue;
    const declared = properties[name];
    properties[name] = { ...(isObject(declared) ? declared : {}), format: "password" };
  }
  return { ...base, properties };
}

/** Pointers (relative to params) of the string values `sealingSchema` would seal. */
export function secretPointers(params: unknown, schema: Json, prefix = ""): string[] {
  const out: string[] = [];
  if (!isObject(params) || !isObject(schema.properties)) return out;
  for (const [name, propSchema] of Object.entries(schema.properties)) {
    if (!Object.hasOwn(params, name) || !isObject(propSchema)) continue;
    const value = params[name];
    const at = `${prefix}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    if (propSchema.format === "password") {
      if (typeof value === "string") out.push(at);
    } else {
      out.push(...secretPointers(value, propSchema, at));
    }
  }
  return out;
}

/** Seals every secret string of plaintext params with the record id as associated data. */
export function sealParams(params: Json, schema: unknown, recordId: string, box: SecretBox): Json {
  return sealSecretFields(params, sealingSchema(schema, params), recordId, box);
}

function mapSealed(value: unknown, replace: (sealed: string) => string): unknown {
  if (isSealed(value)) return replace(value);
  if (Array.isArray(value)) return value.map((item) => mapSealed(item, replace));
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) out[key] = mapSealed(child, replace);
  return out;
}

/** Opens every sealed value (any depth). A value sealed for another record fails loudly. */
export function openParams(params: unknown, recordId: string, box: SecretBox): Json {
  if (!isObject(params)) return {};
  return mapSealed(params, (sealed) => box.open(sealed, recordId)) as Json;
}

/** Replaces every sealed value (any depth) by `***`: responses never carry secrets or ciphertext. */
export function maskParams<T>(params: T): T {
  return mapSealed(params, () => secretMask) as T;
}

/** Every plaintext secret of opened params, for scrubbing messages (belt and braces over the engine's redactor). */
export function secretValues(opened: Json, schema: unknown): string[] {
  const sealing = sealingSchema(schema, opened);
  const values: string[] = [];
  for (const pointer of secretPointers(opened, sealing)) {
    const value = valueAt(opened, pointer);
    if (typeof value === "string" && value.length >= 3) values.push(value);
  }
  return values;
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    for (const form of [secret, encodeURIComponent(secret)])
      if (out.includes(form)) out = out.split(form).join("[REDACTED]");
  }
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isObject(node) || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

/**
 * A PATCH may send back what GET showed: `***` where a secret is stored means "keep the stored
 * secret". Returns the patched params with those values replaced by the previous sealed ones.
 */
export function restoreMasked(patched: unknown, previous: unknown): unknown {
  if (!isObject(patched)) return patched;
  const out: Json = {};
  for (const [key, value] of Object.entries(patched)) {
    const before = isObject(previous) && Object.hasOwn(previous, key) ? previous[key] : undefined;
    if (value === secretMask && isSealed(before)) out[key] = before;
    else if (isObject(value)) out[key] = restoreMasked(value, before);
    else out[key] = value;
  }
  return out;
}

/** The mask where a secret is expected is a mistake (a GET response posted back), never a secret. */
export function maskProblems(params: Json, schema: unknown, prefix: string): Problem[] {
  return secretPointers(params, sealingSchema(schema, params))
    .filter((pointer) => valueAt(params, pointer) === secretMask)
    .map((pointer) => ({
      pointer: `${prefix}${pointer}`,
      message: `is the mask ${secretMask}, not a secret: send the real value (or leave the stored one unchanged)`,
      severity: "error" as const,
    }));
}

/** Opening failed: a ciphertext copied from another record, or a value that only looks sealed. */
export function openOrRefuse(params: unknown, recordId: string, box: SecretBox, pointer: string): Json {
  try {
    return openParams(params, recordId, box);
  } catch {
    throw new FlowError(
      "validationFailed",
      `${pointer} holds a sealed value that does not belong to this record; send the secret in clear text.`,
      { problems: [{ pointer, message: "holds a sealed value of another record", severity: "error" }] },
    );
  }
}
