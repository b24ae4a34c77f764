/**
 * Chooses the auth of a read from the connection spec's authSpec (spec §3): the entry named by
 * `authSpecName` (matched as spec §3 recommends), parsed into the AuthConfig union, then the
 * Authenticator of its module.
 */
import { EngineError } from "../errors.ts";
import type { Redactor } from "../redact.ts";
import { basicAuthenticator, parseBasic } from "./basic.ts";
import { keyBasedAuthenticator, parseKeyBased } from "./key-based.ts";
import { oauth2RefreshAuthenticator, parseOAuth2Refresh } from "./oauth2-refresh.ts";
import type { AuthConfig, Authenticator } from "./types.ts";

export const authTypes = ["BasicAuthentication", "OAuth2RefreshCode", "KeyBased"] as const;

/** Params that are secrets whatever their schema says (the docs' specs sometimes omit `format`). */
const alwaysSecret = /^(password|clientSecret|accessToken|refreshToken|authKey\d+|apiKey|token|secret)$/i;

/** One `authSpec[]` entry of a connection spec (spec §3). */
export interface AuthSpecEntry {
  readonly name: string;
  readonly type: string;
  readonly spec: Readonly<Record<string, unknown>>;
}

const normalise = (text: string) => text.replace(/[\s_-]/g, "").toLowerCase();

/**
 * The entry a base connection names in `auth.specName`. The docs spell it several ways ("Basic
 * Authentication", "oAuth2RefreshCode", "OAuth 2 Refresh Code"), so, as spec §3 recommends: name
 * exactly, name ignoring case, type ignoring case, then both without spaces, dashes and underscores.
 */
export function findAuthSpec(spec: Readonly<Record<string, unknown>>, specName: string): AuthSpecEntry | undefined {
  const entries = (Array.isArray(spec.authSpec) ? spec.authSpec : []).filter(
    (entry): entry is AuthSpecEntry =>
      entry !== null && typeof entry === "object" && typeof entry.name === "string" && typeof entry.type === "string",
  );
  const lower = specName.toLowerCase();
  const entry =
    entries.find((e) => e.name === specName) ??
    entries.find((e) => e.name.toLowerCase() === lower) ??
    entries.find((e) => e.type.toLowerCase() === lower) ??
    entries.find((e) => normalise(e.name) === normalise(specName) || normalise(e.type) === normalise(specName));
  if (entry === undefined) return undefined;
  const schema = entry.spec;
  return { ...entry, spec: schema !== null && typeof schema === "object" && !Array.isArray(schema) ? schema : {} };
}

export interface ResolvedAuth {
  readonly config: AuthConfig;
  /** The JSON Schema of the auth params (`format: password` marks secrets). */
  readonly schema: Readonly<Record<string, unknown>>;
}

export function resolveAuth(
  spec: Readonly<Record<string, unknown>>,
  authSpecName: string | undefined,
  params: Readonly<Record<string, unknown>>,
): ResolvedAuth {
  const list = Array.isArray(spec.authSpec) ? (spec.authSpec as unknown[]) : [];
  if (list.length === 0) return { config: { type: "None" }, schema: {} };
  const entry = (authSpecName === undefined ? list[0] : findAuthSpec(spec, authSpecName)) as AuthSpecEntry | undefined;
  if (!entry || typeof entry.type !== "string") {
    const names = list.map((e) => JSON.stringify((e as AuthSpecEntry)?.name)).join(", ");
    throw new EngineError(
      "spec",
      authSpecName === undefined
        ? "authSpec[0] has no type"
        : `No authSpec entry matches "${authSpecName}" (entries: ${names})`,
    );
  }
  const schema = (entry.spec !== null && typeof entry.spec === "object" ? entry.spec : {}) as Record<string, unknown>;
  switch (normalise(entry.type)) {
    case "basicauthentication":
      return { config: parseBasic(params), schema };
    case "oauth2refreshcode":
      return { config: parseOAuth2Refresh(params), schema };
    case "keybased":
    case "apikey":
      return { config: parseKeyBased(params, schema), schema };
    default:
      throw new EngineError("spec", `Auth type "${entry.type}" is not supported (supported: ${authTypes.join(", ")})`);
  }
}

const noAuth: Authenticator = {
  type: "None",
  secretHeaders: new Set(),
  async apply() {},
  preview() {},
  async recover() {
    return false;
  },
};

export function createAuthenticator(config: AuthConfig, redactor: Redactor): Authenticator {
  switch (config.type) {
    case "None":
      return noAuth;
    case "BasicAuthentication":
      return basicAuthenticator(config, redactor);
    case "OAuth2RefreshCode":
      return oauth2RefreshAuthenticator(config, redactor);
    case "KeyBased":
      return keyBasedAuthenticator(config);
    default: {
      const unknown: never = config;
      throw new EngineError("spec", `Unsupported auth config ${JSON.stringify(unknown)}`);
    }
  }
}

/** Registers every secret among params: `format: password` in the schema, or a well-known secret name. */
export function registerSecrets(
  redactor: Redactor,
  params: Readonly<Record<string, unknown>>,
  schema: Readonly<Record<string, unknown>>,
): void {
  const properties = (schema.properties ?? {}) as Record<string, { format?: unknown } | undefined>;
  for (const [name, value] of Object.entries(params)) {
    if (properties[name]?.format === "password" || alwaysSecret.test(name)) redactor.add(value);
  }
}

export type { AuthConfig, Authenticator, RotatedCredentials } from "./types.ts";
