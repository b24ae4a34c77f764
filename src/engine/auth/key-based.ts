/**
 * KeyBased (spec §3.3): each `authKeyN` goes in the header named by its
 * `restAttributes.headerParamName`, and/or in the query under `queryParamName` (our extension). A
 * key with neither is only a `${authKeyN}` placeholder value.
 */
import { EngineError } from "../errors.ts";
import {
  type Authenticator,
  type KeyBasedConfig,
  type KeyPlacement,
  type OutgoingRequest,
  stringParam,
} from "./types.ts";

function restAttributes(schema: Readonly<Record<string, unknown>>, key: string): Record<string, unknown> {
  const properties = schema.properties as Record<string, { restAttributes?: Record<string, unknown> }> | undefined;
  const attributes = properties?.[key]?.restAttributes;
  return attributes !== null && typeof attributes === "object" ? attributes : {};
}

function optionalName(attributes: Record<string, unknown>, name: string, key: string): string | undefined {
  const value = attributes[name];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new EngineError("spec", `${key}.restAttributes.${name} must be a string`);
  return value;
}

export function parseKeyBased(
  params: Readonly<Record<string, unknown>>,
  schema: Readonly<Record<string, unknown>>,
): KeyBasedConfig {
  const keys: KeyPlacement[] = [];
  for (const name of Object.keys(params)) {
    if (!/^authKey\d+$/.test(name)) continue;
    const value = stringParam(params, name);
    if (value === undefined) continue;
    const attributes = restAttributes(schema, name);
    const header = optionalName(attributes, "headerParamName", name);
    const queryName = optionalName(attributes, "queryParamName", name);
    keys.push({ name, value, ...(header ? { header } : {}), ...(queryName ? { queryName } : {}) });
  }
  return { type: "KeyBased", keys };
}

export function keyBasedAuthenticator(config: KeyBasedConfig): Authenticator {
  const place = (request: OutgoingRequest) => {
    for (const key of config.keys) {
      if (key.header) request.headers[key.header] = key.value;
      if (key.queryName) request.query[key.queryName] = key.value;
    }
  };
  return {
    type: config.type,
    secretHeaders: new Set(config.keys.flatMap((k) => (k.header ? [k.header.toLowerCase()] : []))),
    async apply(request) {
      place(request);
    },
    // The values are masked afterwards by the redactor (every authKeyN is a registered secret).
    preview: place,
    async recover() {
      return false;
    },
  };
}
