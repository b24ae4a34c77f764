/**
 * testAuthorization (spec §3.1 recommendation): GET `authorizationTestUrl` with auth applied (an
 * OAuth2 token is refreshed first when expired, and once after a 401); any 2xx passes. Otherwise
 * the answer says why: the status and a redacted body excerpt, or the network error.
 */
import { EngineError } from "../errors.ts";
import { createAgent, exchange } from "../http/client.ts";
import { httpSettings } from "../http/settings.ts";
import type { ReadRequest } from "../read.ts";
import { Redactor } from "../redact.ts";
import { layeredLookup, renderUrl } from "../template.ts";
import { createAuthenticator, registerSecrets, resolveAuth } from "./index.ts";
import type { AuthContext, OutgoingRequest } from "./types.ts";

export interface AuthorizationResult {
  readonly ok: boolean;
  readonly status?: number;
  readonly reason?: string;
}

export type AuthorizationRequest = Omit<ReadRequest, "params"> & {
  readonly params?: Readonly<Record<string, unknown>>;
};

export async function testAuthorization(request: AuthorizationRequest): Promise<AuthorizationResult> {
  const redactor = new Redactor();
  const settings = httpSettings(request.http);
  const agent = createAgent(settings);
  try {
    const { config, schema } = resolveAuth(request.spec as Record<string, unknown>, request.authSpecName, request.auth);
    registerSecrets(redactor, request.auth, schema);
    const authenticator = createAuthenticator(config, redactor);
    const template = request.auth.authorizationTestUrl;
    if (typeof template !== "string" || template.trim() === "")
      return { ok: true, reason: "No authorizationTestUrl: nothing to test" };
    let url: URL;
    try {
      url = new URL(renderUrl(template, layeredLookup(request.params ?? {}, request.auth), "authorizationTestUrl"));
    } catch (cause) {
      if (cause instanceof EngineError) throw cause;
      throw new EngineError("auth", `authorizationTestUrl ${redactor.text(template)} is not a valid absolute URL`);
    }
    const context: AuthContext = {
      agent,
      settings,
      redactor,
      now: request.now ?? (() => new Date()),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onCredentialsRotated ? { onCredentialsRotated: request.onCredentialsRotated } : {}),
    };
    for (let attempt = 0; ; attempt++) {
      const outgoing: OutgoingRequest = {
        headers: { accept: "application/json", "user-agent": settings.userAgent },
        query: {},
      };
      await authenticator.apply(outgoing, context);
      const target = new URL(url);
      for (const [k, v] of Object.entries(outgoing.query)) target.searchParams.set(k, v);
      const result = await exchange(
        agent,
        { method: "GET", url: target.toString(), headers: outgoing.headers },
        { settings, redactor, ...(request.signal ? { signal: request.signal } : {}) },
      );
      if (result.response) return { ok: true, status: result.response.status };
      const error = result.error as EngineError;
      if (error.status === 401 && attempt === 0 && (await authenticator.recover(outgoing, context))) continue;
      return {
        ok: false,
        ...(error.status === undefined ? {} : { status: error.status }),
        reason: redactor.text(error.message),
      };
    }
  } catch (cause) {
    if (cause instanceof EngineError)
      return {
        ok: false,
        ...(cause.status === undefined ? {} : { status: cause.status }),
        reason: redactor.text(cause.message),
      };
    throw cause;
  } finally {
    await agent.close().catch(() => {});
  }
}
