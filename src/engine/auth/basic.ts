/** BasicAuthentication (spec §3.2): `Authorization: Basic base64(username:password)`. */
import { EngineError } from "../errors.ts";
import type { Redactor } from "../redact.ts";
import { type Authenticator, type BasicConfig, stringParam } from "./types.ts";

export function parseBasic(params: Readonly<Record<string, unknown>>): BasicConfig {
  const username = stringParam(params, "username");
  if (username === undefined) throw new EngineError("auth", 'BasicAuthentication needs auth param "username"');
  return { type: "BasicAuthentication", username, password: stringParam(params, "password") ?? "" };
}

export function basicAuthenticator(config: BasicConfig, redactor: Redactor): Authenticator {
  const credential = Buffer.from(`${config.username}:${config.password}`).toString("base64");
  // A server that echoes the header back must not leak it through an error excerpt.
  redactor.add(credential);
  const header = `Basic ${credential}`;
  return {
    type: config.type,
    secretHeaders: new Set(["authorization"]),
    async apply(request) {
      request.headers.authorization = header;
    },
    preview(request) {
      request.headers.authorization = "Basic [REDACTED]";
    },
    async recover() {
      return false;
    },
  };
}
