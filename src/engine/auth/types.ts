/**
 * Auth (spec §3) is a discriminated union on `type`: each member is parsed from the base
 * connection's auth params by its own module, which also builds its Authenticator.
 */
import type { Agent } from "undici";
import type { HttpSettings } from "../http/settings.ts";
import type { Redactor } from "../redact.ts";

export interface RotatedCredentials {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** ISO 8601 instant the new access token expires, when the token endpoint says. */
  readonly expirationDate?: string;
}

export interface BasicConfig {
  readonly type: "BasicAuthentication";
  readonly username: string;
  readonly password: string;
}

/** How to call `accessTokenUrl` (spec §3.1, `requestParameterOverride` with its defaults). */
export interface RefreshConfig {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly clientIdName: string;
  readonly clientSecretName: string;
  readonly accessTokenField: string;
  readonly refreshTokenField: string;
  readonly expireInField: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
}

export interface OAuth2RefreshConfig {
  readonly type: "OAuth2RefreshCode";
  readonly accessToken?: string;
  readonly refreshToken?: string;
  /** Epoch milliseconds the access token expires, from `expirationDate`. */
  readonly expiresAt?: number;
  /** Absent when the params hold no `accessTokenUrl`: the access token is then used as is. */
  readonly refresh?: RefreshConfig;
}

/** Where one `authKeyN` goes (spec §3.3); neither name means placeholder-only. */
export interface KeyPlacement {
  readonly name: string;
  readonly value: string;
  readonly header?: string;
  readonly queryName?: string;
}

export interface KeyBasedConfig {
  readonly type: "KeyBased";
  readonly keys: readonly KeyPlacement[];
}

export interface NoAuthConfig {
  readonly type: "None";
}

export type AuthConfig = BasicConfig | OAuth2RefreshConfig | KeyBasedConfig | NoAuthConfig;
export type AuthType = AuthConfig["type"];

export interface OutgoingRequest {
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
}

/** A request the auth layer sent itself (the token endpoint), for the request log. */
export interface AuthRequestNotice {
  readonly method: string;
  readonly url: string;
  readonly body?: string;
  readonly status?: number;
  readonly durationMs: number;
  readonly bytes: number;
  readonly retries: number;
  readonly error?: string;
}

export interface AuthContext {
  readonly agent: Agent;
  readonly settings: HttpSettings;
  readonly redactor: Redactor;
  readonly now: () => Date;
  readonly signal?: AbortSignal;
  readonly onCredentialsRotated?: (c: RotatedCredentials) => void | Promise<void>;
  readonly onAuthRequest?: (notice: AuthRequestNotice) => void;
}

export interface Authenticator {
  readonly type: AuthType;
  /** Header names whose values are secrets for this auth type (lower case). */
  readonly secretHeaders: ReadonlySet<string>;
  /** Adds credentials to a request; may refresh first. */
  apply(request: OutgoingRequest, context: AuthContext): Promise<void>;
  /** Adds credentials without any network call, masked where secret (explainFirstRequest). */
  preview(request: OutgoingRequest): void;
  /**
   * Called once after a 401 with the request that was rejected; true when other credentials are
   * now available and the request may be retried once.
   */
  recover(rejected: OutgoingRequest, context: AuthContext): Promise<boolean>;
}

export function stringParam(params: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = params[name];
  return typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;
}
