/**
 * OAuth2RefreshCode (spec §3.1): `Authorization: Bearer <accessToken>`. The token is refreshed at
 * `accessTokenUrl` (`grant_type=refresh_token`, the client id and secret, with the method and
 * field names of `requestParameterOverride`) shortly before `expirationDate`, and once after a
 * 401, whose request is then retried once. Refreshes coalesce and rotations are remembered
 * process-wide (oauth2-rotations.ts); every token this read sees is registered with its redactor.
 */
import { bodyExcerpt, EngineError } from "../errors.ts";
import { exchange } from "../http/client.ts";
import type { Redactor } from "../redact.ts";
import { coalesce, handOver, type Rotation, rotationKey, rotationOf } from "./oauth2-rotations.ts";
import {
  type AuthContext,
  type Authenticator,
  type OAuth2RefreshConfig,
  type RefreshConfig,
  type RotatedCredentials,
  stringParam,
} from "./types.ts";

/** Refresh this long before the stated expiry, so a token does not lapse in flight. */
export const expirySkewMs = 30_000;

function parseExpiry(value: unknown): number | undefined {
  // Epoch seconds or milliseconds, or a date string (`format: date` in the authSpec).
  if (typeof value === "number" && Number.isFinite(value)) return value > 1e12 ? value : value * 1000;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return parseExpiry(Number(value));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

export function parseOAuth2Refresh(params: Readonly<Record<string, unknown>>): OAuth2RefreshConfig {
  const accessToken = stringParam(params, "accessToken");
  const refreshToken = stringParam(params, "refreshToken");
  const expiresAt = parseExpiry(params.expirationDate);
  const url = stringParam(params, "accessTokenUrl") ?? stringParam(params, "refreshTokenUrl");
  const override = params.requestParameterOverride;
  if (override !== undefined && override !== null && (typeof override !== "object" || Array.isArray(override)))
    throw new EngineError("auth", "requestParameterOverride must be an object");
  const o = (override ?? {}) as Record<string, unknown>;
  const name = (v: unknown, fallback: string) => (typeof v === "string" && v.trim() !== "" ? v.trim() : fallback);
  const method = name(o.authenticationMethod, "POST").toUpperCase();
  if (method !== "GET" && method !== "POST")
    throw new EngineError("auth", `requestParameterOverride.authenticationMethod must be GET or POST (got ${method})`);
  const clientId = stringParam(params, "clientId");
  const clientSecret = stringParam(params, "clientSecret");
  const refresh: RefreshConfig | undefined =
    url === undefined
      ? undefined
      : {
          url,
          method,
          clientIdName: name(o.clientId, "client_id"),
          clientSecretName: name(o.clientSecret, "client_secret"),
          accessTokenField: name(o.accessTokenField, "access_token"),
          refreshTokenField: name(o.refreshTokenField, "refresh_token"),
          expireInField: name(o.expireInField, "expires_in"),
          ...(clientId ? { clientId } : {}),
          ...(clientSecret ? { clientSecret } : {}),
        };
  return {
    type: "OAuth2RefreshCode",
    ...(accessToken ? { accessToken } : {}),
    ...(refreshToken ? { refreshToken } : {}),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(refresh ? { refresh } : {}),
  };
}

async function callTokenEndpoint(config: RefreshConfig, refreshToken: string, context: AuthContext): Promise<Rotation> {
  const { redactor } = context;
  const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken });
  if (config.clientId) form.set(config.clientIdName, config.clientId);
  if (config.clientSecret) form.set(config.clientSecretName, config.clientSecret);
  const isGet = config.method === "GET";
  const url = isGet ? `${config.url}${config.url.includes("?") ? "&" : "?"}${form}` : config.url;
  const safeUrl = redactor.text(config.url);
  const started = performance.now();
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
    { settings: context.settings, redactor, ...(context.signal ? { signal: context.signal } : {}) },
  );
  const response = result.response ?? result.failedResponse;
  context.onAuthRequest?.({
    method: config.method,
    url: redactor.text(url),
    ...(isGet ? {} : { body: redactor.text(form.toString()) }),
    ...(response ? { status: response.status } : {}),
    durationMs: Math.round(performance.now() - started),
    bytes: response?.body.length ?? 0,
    retries: result.retries,
    ...(result.error ? { error: result.error.message } : {}),
  });
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
    const parsed: unknown = JSON.parse(result.response.body.toString("utf8"));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    body = parsed as Record<string, unknown>;
  } catch {
    const excerpt = bodyExcerpt(result.response.body, redactor);
    throw new EngineError("auth", `Token endpoint ${safeUrl} did not answer a JSON object: ${excerpt}`, {
      url: safeUrl,
      status: result.response.status,
      bodyExcerpt: excerpt,
    });
  }
  const accessToken = body[config.accessTokenField];
  const rotated = body[config.refreshTokenField];
  if (typeof accessToken === "string") redactor.add(accessToken);
  if (typeof rotated === "string") redactor.add(rotated);
  if (typeof accessToken !== "string" || accessToken === "") {
    throw new EngineError("auth", `Token endpoint ${safeUrl} answered without "${config.accessTokenField}"`, {
      url: safeUrl,
      status: result.response.status,
    });
  }
  const expiresIn = Number(body[config.expireInField]);
  const now = context.now().getTime();
  const expiresAt = Number.isFinite(expiresIn) && expiresIn > 0 ? now + expiresIn * 1000 : undefined;
  const credentials: RotatedCredentials = {
    accessToken,
    ...(typeof rotated === "string" && rotated !== "" ? { refreshToken: rotated } : {}),
    ...(expiresAt === undefined ? {} : { expirationDate: new Date(expiresAt).toISOString() }),
  };
  return { credentials, ...(expiresAt === undefined ? {} : { expiresAt }), storedAt: now, persisted: false };
}

export function oauth2RefreshAuthenticator(config: OAuth2RefreshConfig, redactor: Redactor): Authenticator {
  let accessToken = config.accessToken;
  let refreshToken = config.refreshToken;
  let expiresAt = config.expiresAt;
  /** The newest rotation this read holds; handed to onCredentialsRotated before it is used. */
  let adopted: Rotation | undefined;
  const refresh = config.refresh;

  const adopt = (rotation: Rotation) => {
    redactor.add(rotation.credentials.accessToken);
    redactor.add(rotation.credentials.refreshToken);
    accessToken = rotation.credentials.accessToken;
    if (rotation.credentials.refreshToken) refreshToken = rotation.credentials.refreshToken;
    expiresAt = rotation.expiresAt;
    adopted = rotation;
  };

  /** Catches up with refreshes other reads of this credential made (following rotated refresh tokens). */
  const sync = (now: number) => {
    if (!refresh) return;
    for (let hop = 0; hop < 100 && refreshToken; hop++) {
      const rotation = rotationOf(rotationKey(refresh, refreshToken), now);
      if (!rotation || rotation === adopted) return;
      const rotates =
        rotation.credentials.refreshToken !== undefined && rotation.credentials.refreshToken !== refreshToken;
      // Same refresh token: take the other read's access token only when it outlives ours.
      if (!rotates && expiresAt !== undefined && (rotation.expiresAt ?? 0) <= expiresAt) return;
      adopt(rotation);
      if (!rotates) return;
    }
  };

  const refreshNow = async (context: AuthContext) => {
    if (!refresh || !refreshToken) return;
    const used = refreshToken;
    adopt(await coalesce(rotationKey(refresh, used), () => callTokenEndpoint(refresh, used, context)));
  };

  const handOverAdopted = async (context: AuthContext) => {
    if (adopted && !adopted.persisted && context.onCredentialsRotated)
      await handOver(adopted, context.onCredentialsRotated, redactor);
  };

  const expired = (now: number) => expiresAt !== undefined && now >= expiresAt - expirySkewMs;

  return {
    type: config.type,
    secretHeaders: new Set(["authorization"]),
    async apply(request, context) {
      const now = context.now().getTime();
      sync(now);
      // With nothing to refresh with, an expired token is still tried: the clock may be wrong, a 401 is clear.
      if (accessToken === undefined || expired(now)) await refreshNow(context);
      if (accessToken === undefined)
        throw new EngineError("auth", "OAuth2RefreshCode needs accessToken, or refreshToken with accessTokenUrl");
      await handOverAdopted(context);
      request.headers.authorization = `Bearer ${accessToken}`;
    },
    preview(request) {
      request.headers.authorization = "Bearer [REDACTED]";
    },
    async recover(rejected, context) {
      if (!refresh || !refreshToken) return false;
      // Another read may have refreshed already; otherwise mint a new token. Either way, retry once.
      const rejectedToken = rejected.headers.authorization?.replace(/^Bearer /, "");
      sync(context.now().getTime());
      if (accessToken === rejectedToken) await refreshNow(context);
      await handOverAdopted(context);
      return true;
    },
  };
}
