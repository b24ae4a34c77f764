import type { SecretBox } from "./secret-box.ts";

/** What every secret field shows in responses: a constant, so even the length is not revealed. */
export const secretMask = "***";

type JsonSchema = { readonly type?: unknown; readonly format?: unknown; readonly properties?: unknown };

/** Returns a copy of `params` with every `format: "password"` string (at any object depth) replaced. */
function mapSecretFields(params: unknown, schema: unknown, replace: (value: string) => string): unknown {
  if (!isObject(params) || !isObject(schema)) return params;
  const properties = (schema as JsonSchema).properties;
  if (!isObject(properties)) return params;
  const out: Record<string, unknown> = { ...params };
  for (const [name, propSchema] of Object.entries(properties)) {
    if (!(name in out) || !isObject(propSchema)) continue;
    const value = out[name];
    if ((propSchema as JsonSchema).format === "password") {
      if (typeof value === "string") out[name] = replace(value);
    } else {
      out[name] = mapSecretFields(value, propSchema, replace);
    }
  }
  return out;
}

export function sealSecretFields<T>(params: T, schema: unknown, recordId: string, box: SecretBox): T {
  return mapSecretFields(params, schema, (v) => box.seal(v, recordId)) as T;
}

export function openSecretFields<T>(params: T, schema: unknown, recordId: string, box: SecretBox): T {
  return mapSecretFields(params, schema, (v) => box.open(v, recordId)) as T;
}

export function maskSecretFields<T>(params: T, schema: unknown): T {
  return mapSecretFields(params, schema, () => secretMask) as T;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
