/** BasicAuthentication (spec §3.2): `Authorization: Basic base64(username:password)`. */
import { EngineError } from "../errors.ts";
import { type Authenticator, stringParam } from "./types.ts";

export function basicAuthenticator(params: Readonly<Record<string, unknown>>): Authenticator {
  const username = stringParam(params, "username");
  const password = stringParam(params, "password") ?? "";
  if (username === undefined) throw new EngineError("auth", 'BasicAuthentication needs auth param "username"');
  const header = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  return {
    type: "BasicAuthentication",
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
