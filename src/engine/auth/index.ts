/** Chooses the authenticator for a read from the connection spec's authSpec (spec §3). */
import { findAuthSpec } from "../../catalog/auth-spec-match.ts";
import { EngineError } from "../errors.ts";
import type { Redactor } from "../redact.ts";
import { basicAuthenticator } from "./basic.ts";
import { keyBasedAuthenticator } from "./key-based.ts";
import { oauth2RefreshAuthenticator } from "./oauth2-refresh.ts";
import type { Authenticator } from "./types.ts";

export const authTypes = ["BasicAuthentication", "OAuth2RefreshCode", "KeyBased"] as const;
export type AuthType = (typeof authTypes)[number];

/** Params that are secrets whatever their schema says (the docs' specs sometimes omit `format`). */
const alwaysSecret = /^(password|clientSecret|accessToken|refreshToken|authKey\d+|apiKey|token|secret)$/i;

const noAuth: Authenticator = {
  type: "None",
  secretHeaders: new Set(),
  async apply() {},
  preview() {},
  async recover() {
    return false;
  },
};

export interface ResolvedAuth {
  readonly authenticator: Authenticator;
  readonly schema: Readonly<Record<string, unknown>>;
}

export function resolveAuth(
  spec: Readonly<Record<string, unknown>>,
  authSpecName: string | undefined,
  params: Readonly<Record<string, unknown>>,
): ResolvedAuth {
  const list = Array.isArray(spec.authSpec) ? spec.authSpec : [];
  if (list.length === 0) return { authenticator: noAuth, schema: {} };
  const entry =
    authSpecName === undefined
      ? (list[0] as { name?: unknown; type?: unknown; spec?: unknown })
      : findAuthSpec(spec, authSpecName);
  if (!entry || typeof entry.type !== "string") {
    throw new EngineError(
      "spec",
      authSpecName === undefined ? "authSpec[0] has no type" : `No authSpec entry matches "${authSpecName}"`,
    );
  }
  const schema = (entry.spec ?? {}) as Record<string, unknown>;
  const type = entry.type.toLowerCase().replace(/[\s_-]/g, "");
  if (type === "basicauthentication") return { authenticator: basicAuthenticator(params), schema };
  if (type === "oauth2refreshcode") return { authenticator: oauth2RefreshAuthenticator(params), schema };
  if (type === "keybased" || type === "apikey") return { authenticator: keyBasedAuthenticator(params, schema), schema };
  throw new EngineError("spec", `Auth type "${entry.type}" is not supported (supported: ${authTypes.join(", ")})`);
}

/** Registers every secret among params: `format: password` in the schema, or a well-known secret name. */
export function registerSecrets(
  redactor: Redactor,
  params: Readonly<Record<string, unknown>>,
  schema: Readonly<Record<string, unknown>>,
): void {
  const properties = (schema.properties ?? {}) as Record<string, { format?: unknown }>;
  for (const [name, value] of Object.entries(params)) {
    if (properties[name]?.format === "password" || alwaysSecret.test(name)) redactor.add(value);
  }
}

export type { Authenticator, RotatedCredentials } from "./types.ts";
