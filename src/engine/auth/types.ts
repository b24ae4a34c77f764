/** What every auth module offers the request pipeline. */
import type { Agent } from "undici";
import type { HttpSettings } from "../http/settings.ts";
import type { Redactor } from "../redact.ts";

export interface RotatedCredentials {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** ISO 8601 instant the new access token expires, when the token endpoint says. */
  readonly expirationDate?: string;
}

export interface OutgoingRequest {
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
}

export interface AuthContext {
  readonly agent: Agent;
  readonly settings: HttpSettings;
  readonly redactor: Redactor;
  readonly now: () => Date;
  readonly signal?: AbortSignal;
  readonly onCredentialsRotated?: (c: RotatedCredentials) => void | Promise<void>;
}

export interface Authenticator {
  readonly type: "BasicAuthentication" | "OAuth2RefreshCode" | "KeyBased" | "None";
  /** Header names whose values are secrets for this auth type (lower case). */
  readonly secretHeaders: ReadonlySet<string>;
  /** Adds credentials to a request; may refresh first. */
  apply(request: OutgoingRequest, context: AuthContext): Promise<void>;
  /** Adds credentials without any network call, masked where secret (explainFirstRequest). */
  preview(request: OutgoingRequest): void;
  /** Called on a 401; true when new credentials were obtained and the request may be retried once. */
  recover(context: AuthContext): Promise<boolean>;
}

export function stringParam(params: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = params[name];
  return typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;
}
