/**
 * Keeping secrets out of verify's output. Two layers: params are shown masked (the authSpec's
 * `format: "password"` properties and any name that sounds secret), and every line written is
 * scrubbed of the secret values themselves, so a server or upstream echoing one cannot leak it.
 */
import type { AuthSpecEntry } from "../engine/index.ts";
import type { JsonObject } from "./client.ts";

export const masked = "***";

const secretName = /secret|token|passw|pwd|key|credential|signature|private/i;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Property names the authSpec entry marks `format: "password"`. */
export function passwordProperties(authSpec: AuthSpecEntry | JsonObject | undefined): Set<string> {
  const names = new Set<string>();
  const spec = isObject(authSpec?.spec) ? authSpec.spec : {};
  const properties = isObject(spec.properties) ? spec.properties : {};
  for (const [name, property] of Object.entries(properties)) {
    if (isObject(property) && property.format === "password") names.add(name);
  }
  return names;
}

export function isSecretName(name: string, passwords: ReadonlySet<string> = new Set()): boolean {
  return passwords.has(name) || secretName.test(name);
}

/** A copy with secret values replaced by `***` (nested objects too). */
export function maskParams(params: JsonObject, passwords: ReadonlySet<string> = new Set()): JsonObject {
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(params)) {
    if (isSecretName(name, passwords) && value !== null && value !== undefined && !isObject(value)) out[name] = masked;
    else if (isObject(value)) out[name] = maskParams(value, passwords);
    else out[name] = value;
  }
  return out;
}

/** Every secret string inside params (values under secret names, at any depth). */
export function secretValues(params: JsonObject, passwords: ReadonlySet<string> = new Set()): string[] {
  const values: string[] = [];
  const visit = (node: unknown, secret: boolean) => {
    if (typeof node === "string" || typeof node === "number") {
      if (secret) values.push(String(node));
    } else if (Array.isArray(node)) {
      for (const item of node) visit(item, secret);
    } else if (isObject(node)) {
      for (const [name, value] of Object.entries(node)) visit(value, secret || isSecretName(name, passwords));
    }
  };
  visit(params, false);
  return values;
}

/**
 * A function that replaces every occurrence of the given secrets (the key inside a
 * `Bearer <key>` value too, and their base64 and URL encodings) with `***`. Values shorter than 4 characters are not scrubbed from free text (they
 * would mangle it); they are still masked wherever params are shown.
 */
export function createScrubber(secrets: readonly string[]): (text: string) => string {
  const forms = new Set<string>();
  const variants = secrets.flatMap((secret) => {
    // "Bearer <key>" holds a secret of its own: the key.
    const scheme = /^(?:bearer|basic|apikey|token)\s+(\S.*)$/i.exec(secret)?.[1];
    return scheme === undefined ? [secret] : [secret, scheme];
  });
  for (const secret of variants) {
    if (secret.length < 4) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(new URLSearchParams({ v: secret }).toString().slice(2));
    forms.add(Buffer.from(secret).toString("base64"));
  }
  const ordered = [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  const pattern = new RegExp(ordered.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  return (text) => text.replace(pattern, masked);
}
