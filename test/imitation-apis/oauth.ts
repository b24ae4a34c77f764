/**
 * An OAuth2 provider with short-lived access tokens and rotating refresh tokens: POST /oauth/token
 * (grant_type=refresh_token, form-encoded) and a protected GET /api/items. A refresh token works once.
 */
import { type Imitation, sendJson, startImitation } from "./server.ts";

export interface OAuthOptions {
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly initialRefreshToken?: string;
  readonly expiresIn?: number;
  /** Milliseconds the token endpoint waits before answering (to overlap concurrent refreshes). */
  readonly tokenDelayMs?: number;
  readonly items?: number;
}

export interface OAuthImitation extends Imitation {
  readonly tokenCalls: () => number;
  /** Expires every access token issued so far (the next API call gets 401). */
  readonly revokeAccessTokens: () => void;
}

export async function startOAuthProvider(options: OAuthOptions = {}): Promise<OAuthImitation> {
  let refreshToken = options.initialRefreshToken ?? "rt-0";
  const valid = new Set<string>();
  let calls = 0;
  let serial = 0;
  const items = options.items ?? 5;
  const imitation = await startImitation(async (req, res, url) => {
    if (url.pathname === "/oauth/token") {
      calls += 1;
      if (options.tokenDelayMs) await new Promise((r) => setTimeout(r, options.tokenDelayMs));
      const form = new URLSearchParams(req.method === "GET" ? url.search : req.body);
      if (form.get("grant_type") !== "refresh_token") return sendJson(res, 400, { error: "unsupported_grant_type" });
      if (
        form.get("client_id") !== (options.clientId ?? "cid") ||
        form.get("client_secret") !== (options.clientSecret ?? "csecret-xyz")
      ) {
        return sendJson(res, 401, { error: "invalid_client" });
      }
      if (form.get("refresh_token") !== refreshToken) return sendJson(res, 400, { error: "invalid_grant" });
      serial += 1;
      refreshToken = `rt-${serial}-rotated`;
      const access = `at-${serial}-fresh`;
      valid.add(access);
      return sendJson(res, 200, {
        access_token: access,
        refresh_token: refreshToken,
        expires_in: options.expiresIn ?? 3600,
        token_type: "bearer",
      });
    }
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ") || !valid.has(auth.slice(7))) return sendJson(res, 401, { error: "invalid_token" });
    if (url.pathname === "/api/items") {
      return sendJson(res, 200, { items: Array.from({ length: items }, (_, k) => ({ id: k })) });
    }
    sendJson(res, 404, { error: "not_found" });
  });
  return { ...imitation, tokenCalls: () => calls, revokeAccessTokens: () => valid.clear() };
}
