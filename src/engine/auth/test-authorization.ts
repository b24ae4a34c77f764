/**
 * testAuthorization (spec §3.1 recommendation): GET `authorizationTestUrl` with auth applied; any
 * 2xx passes. Otherwise the answer says why (status and a redacted body excerpt, or the network error).
 */
import { EngineError } from "../errors.ts";
import { createAgent, exchange } from "../http/client.ts";
import { httpSettings } from "../http/settings.ts";
import type { ReadRequest } from "../read.ts";
import { Redactor } from "../redact.ts";
import { layeredLookup, render } from "../template.ts";
import { registerSecrets, resolveAuth } from "./index.ts";

export interface AuthorizationResult {
  readonly ok: boolean;
  readonly status?: number;
  readonly reason?: string;
}

export async function testAuthorization(
  request: Omit<ReadRequest, "params"> & { params?: Readonly<Record<string, unknown>> },
): Promise<AuthorizationResult> {
  const redactor = new Redactor();
  const settings = httpSettings(request.http);
  const agent = createAgent(settings);
  try {
    const { authenticator, schema } = resolveAuth(
      request.spec as Record<string, unknown>,
      request.authSpecName,
      request.auth,
    );
    registerSecrets(redactor, request.auth, schema);
    const template = request.auth.authorizationTestUrl;
    if (typeof template !== "string" || template === "")
      return { ok: true, reason: "No authorizationTestUrl: nothing to test" };
    const url = new URL(
      render(template, layeredLookup(request.params ?? {}, request.auth), "authorizationTestUrl", encodeURIComponent),
    );
    const context = {
      agent,
      settings,
      redactor,
      now: request.now ?? (() => new Date()),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onCredentialsRotated ? { onCredentialsRotated: request.onCredentialsRotated } : {}),
    };
    for (let attempt = 0; ; attempt++) {
      const outgoing = {
        headers: { accept: "application/json", "user-agent": settings.userAgent },
        query: {} as Record<string, string>,
      };
      await authenticator.apply(outgoing, context);
      const target = new URL(url);
      for (const [k, v] of Object.entries(outgoing.query)) target.searchParams.set(k, v);
      const result = await exchange(
        agent,
        { method: "GET", url: target.toString(), headers: outgoing.headers },
        { settings, redactor },
      );
      if (result.response) {
        const { status } = result.response;
        return status >= 200 && status < 300
          ? { ok: true, status }
          : { ok: false, status, reason: `Expected a 2xx, got ${status}` };
      }
      const error = result.error as EngineError;
      if (error.status === 401 && attempt === 0 && (await authenticator.recover(context))) continue;
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
