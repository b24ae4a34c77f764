/**
 * OAuth2RefreshCode (spec §3.1): Bearer access token; refreshed at `accessTokenUrl` before
 * `expirationDate` and once after a 401. Refreshes of one credential coalesce process-wide (keyed by
 * token URL and refresh token), because parallel reads racing to refresh with a rotating refresh
 * token is the classic `invalid_grant` bug (peers.md §3). Rotated tokens go to onCredentialsRotated.
 */
import { bodyExcerpt, EngineError } from "../errors.ts";
import { exchange } from "../http/client.ts";
import type { AuthContext, Authenticator, RotatedCredentials } from "./types.ts";
import { stringParam } from "./types.ts";

/** Refresh this long before the stated expiry, so a token does not lapse in flight. */
const expirySkewMs = 30_000;

const inflight = new Map<string, Promise<RotatedCredentials>>();

interface RefreshConfig {
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

function refreshConfig(params: Readonly<Record<string, unknown>>): RefreshConfig | undefined {
  const url = stringParam(params, "accessTokenUrl") ?? stringParam(params, "refreshTokenUrl");
  if (url === undefined) return undefined;
  const o = (params.requestParameterOverride ?? {}) as Record<string, unknown>;
  const str = (v: unknown, fallback: string) => (typeof v === "string" && v !== "" ? v : fallback);
  const clientId = stringParam(params, "clientId");
  const clientSecret = stringParam(params, "clientSecret");
  return {
    url,
    method: str(o.authenticationMethod, "POST").toUpperCase() === "GET" ? "GET" : "POST",
    clientIdName: str(o.clientId, "client_id"),
    clientSecretName: str(o.clientSecret, "client_secret"),
    accessTokenField: str(o.accessTokenField, "access_token"),
    refreshTokenField: str(o.refreshTokenField, "refresh_token"),
    expireInField: str(o.expireInField, "expires_in"),
    ...(clientId ? { clientId } : {}),
    ...(clientSecret ? { clientSecret } : {}),
  };
}

function parseExpiry(value: unknown): number | undefined {
  if (typeof value === "number") return value > 1e12 ? value : value * 1000;
  if (typeof value !== "string" || value === "") return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

async function callTokenEndpoint(
  config: RefreshConfig,
  refreshToken: string,
  context: AuthContext,
): Promise<RotatedCredentials> {
  const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken });
  if (config.clientId) form.set(config.clientIdName, config.clientId);
  if (config.clientSecret) form.set(config.clientSecretName, config.clientSecret);
  const isGet = config.method === "GET";
  const url = isGet ? `${config.url}${config.url.includes("?") ? "&" : "?"}${form}` : config.url;
  const result = await exchange(
    context.agent,
    {
      method: config.method,
      url,
      headers: isGet
        ? { accept: "application/json" }
        : { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
      ...(isGet ? {} : { body: form.toString() }),
    },
    { settings: context.settings, redactor: context.redactor, ...(context.signal ? { signal: context.signal } : {}) },
  );
  const safeUrl = context.redactor.text(config.url);
  if (!result.response) {
    const cause = result.error as EngineError;
    throw new EngineError("auth", `Token refresh at ${safeUrl} failed: ${cause.message}`, {
      url: safeUrl,
      ...(cause.status === undefined ? {} : { status: cause.status }),
      ...(cause.bodyExcerpt === undefined ? {} : { bodyExcerpt: cause.bodyExcerpt }),
    });
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(result.response.body.toString("utf8")) as Record<string, unknown>;
  } catch {
    const excerpt = context.redactor.text(bodyExcerpt(result.response.body));
    throw new EngineError("auth", `Token endpoint ${safeUrl} did not answer JSON`, {
      url: safeUrl,
      status: result.response.status,
      bodyExcerpt: excerpt,
    });
  }
  const accessToken = body[config.accessTokenField];
  if (typeof accessToken !== "string" || accessToken === "") {
    throw new EngineError("auth", `Token endpoint ${safeUrl} answered without "${config.accessTokenField}"`, {
      url: safeUrl,
      status: result.response.status,
    });
  }
  context.redactor.add(accessToken);
  const rotated = body[config.refreshTokenField];
  if (typeof rotated === "string") context.redactor.add(rotated);
  const expiresIn = Number(body[config.expireInField]);
  return {
    accessToken,
    ...(typeof rotated === "string" && rotated !== "" ? { refreshToken: rotated } : {}),
    ...(Number.isFinite(expiresIn) && expiresIn > 0
      ? { expirationDate: new Date(context.now().getTime() + expiresIn * 1000).toISOString() }
      : {}),
  };
}

export function oauth2RefreshAuthenticator(params: Readonly<Record<string, unknown>>): Authenticator {
  let accessToken = stringParam(params, "accessToken");
  let refreshToken = stringParam(params, "refreshToken");
  let expiresAt = parseExpiry(params.expirationDate);
  const config = refreshConfig(params);

  async function refresh(context: AuthContext): Promise<void> {
    if (!config || !refreshToken)
      throw new EngineError(
        "auth",
        "The access token expired or was rejected and no refreshToken/accessTokenUrl is configured to renew it",
      );
    const key = `${config.url}\u0000${refreshToken}`;
    let pending = inflight.get(key);
    const leader = pending === undefined;
    if (!pending) {
      pending = callTokenEndpoint(config, refreshToken, context);
      inflight.set(key, pending);
    }
    try {
      const fresh = await pending;
      accessToken = fresh.accessToken;
      if (fresh.refreshToken) refreshToken = fresh.refreshToken;
      expiresAt = parseExpiry(fresh.expirationDate);
      if (leader) await context.onCredentialsRotated?.(fresh);
    } finally {
      if (leader) inflight.delete(key);
    }
  }

  return {
    type: "OAuth2RefreshCode",
    secretHeaders: new Set(["authorization"]),
    async apply(request, context) {
      const expired = expiresAt !== undefined && context.now().getTime() >= expiresAt - expirySkewMs;
      if (accessToken === undefined || expired) await refresh(context);
      request.headers.authorization = `Bearer ${accessToken}`;
    },
    preview(request) {
      request.headers.authorization = "Bearer [REDACTED]";
    },
    async recover(context) {
      if (!config || !refreshToken) return false;
      await refresh(context);
      return true;
    },
  };
}
