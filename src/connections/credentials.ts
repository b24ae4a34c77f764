/**
 * Rotated OAuth tokens (spec §3.1: "stores the new tokens and expirationDate on the base
 * connection"). A provider that rotates refresh tokens invalidates the old one when it issues a new
 * one, so losing the newest refresh token breaks the connection for good. Hence:
 *
 * 1. The base connection is re-read, the new accessToken/refreshToken (sealed) and expirationDate
 *    merged in, and written with compare-and-set on its etag; a 412 (someone else wrote meanwhile)
 *    re-reads and retries, other failures retry after a short pause, 5 attempts in all.
 * 2. If every attempt fails, an error is logged (ids and the reason, never a token) and a FlowError
 *    is thrown: the engine then fails the read that refreshed, so the failure surfaces in the
 *    response or the run's status. The engine keeps the rotation in its process-wide memory
 *    (src/engine/auth/oauth2-rotations.ts) and hands it to onCredentialsRotated again at the next
 *    read of the same credential, which stores it then.
 */
import type { RotatedCredentials } from "../engine/index.ts";
import { FlowError } from "../errors.ts";
import type { SecretBox } from "../secrets/secret-box.ts";
import type { JsonObject, Scope } from "../store/metadata-store.ts";
import { type ConnectionDeps, loggerOf } from "./deps.ts";
import { isObject } from "./secret-fields.ts";

const maxAttempts = 5;
const pauseMs = 50;

/** Plaintext auth params with the rotated tokens applied. */
export function applyRotation(
  auth: Readonly<Record<string, unknown>>,
  rotated: RotatedCredentials,
): Record<string, unknown> {
  return {
    ...auth,
    accessToken: rotated.accessToken,
    ...(rotated.refreshToken === undefined ? {} : { refreshToken: rotated.refreshToken }),
    ...(rotated.expirationDate === undefined ? {} : { expirationDate: rotated.expirationDate }),
  };
}

/**
 * The stored document with the rotated tokens sealed in. The latest hand-over wins: the engine
 * coalesces refreshes and hands rotations over in order, and comparing expiration dates would
 * let a user-entered far-future `expirationDate` block every rotation.
 */
function mergeRotated(doc: JsonObject, rotated: RotatedCredentials, recordId: string, box: SecretBox): JsonObject {
  const auth = isObject(doc.auth) ? doc.auth : {};
  const params = isObject(auth.params) ? auth.params : {};
  const sealed: RotatedCredentials = {
    ...rotated,
    accessToken: box.seal(rotated.accessToken, recordId),
    ...(rotated.refreshToken === undefined ? {} : { refreshToken: box.seal(rotated.refreshToken, recordId) }),
  };
  return { ...doc, auth: { ...auth, params: applyRotation(params, sealed) } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function persistRotatedCredentials(
  deps: ConnectionDeps,
  scope: Scope,
  connectionId: string,
  rotated: RotatedCredentials,
): Promise<void> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    try {
      const current = await deps.store.getResource("connections", scope, connectionId);
      if (!current) {
        loggerOf(deps).warn(
          { connectionId },
          "rotated OAuth credentials not stored: the base connection was deleted meanwhile",
        );
        return;
      }
      await deps.store.updateResource({
        kind: "connections",
        scope,
        id: connectionId,
        doc: mergeRotated(current.doc, rotated, connectionId, deps.secrets),
        expectedEtag: current.etag,
      });
      return;
    } catch (error) {
      lastError = error;
      const raced = error instanceof FlowError && error.kind === "versionMismatch";
      if (!raced && attempt < maxAttempts) await sleep(pauseMs * attempt);
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  loggerOf(deps).error(
    { connectionId, orgId: scope.orgId, sandboxName: scope.sandboxName, attempts: maxAttempts, reason },
    "rotated OAuth credentials could not be stored on the base connection; the engine keeps them in memory and hands them over again at the next read",
  );
  throw new FlowError(
    "internal",
    `The source rotated the OAuth tokens of connection ${connectionId}, but storing them failed ${maxAttempts} times (${reason}). ` +
      "This server keeps the newest tokens in memory and stores them at the next read of the connection; retry the request.",
    { id: connectionId, type: "connections" },
  );
}

/**
 * The `onCredentialsRotated` of one engine call. The engine wraps a callback's error into its own
 * ("Read aborted: …"), so the recorder keeps the original to rethrow it after the call.
 */
export function rotationRecorder(deps: ConnectionDeps, scope: Scope, connectionId: string) {
  let failure: FlowError | undefined;
  return {
    onCredentialsRotated: async (rotated: RotatedCredentials): Promise<void> => {
      try {
        await persistRotatedCredentials(deps, scope, connectionId, rotated);
      } catch (error) {
        failure = error instanceof FlowError ? error : new FlowError("internal", "Storing rotated credentials failed.");
        throw failure;
      }
    },
    /** Throws the persistence failure, if there was one. */
    rethrowFailure(): void {
      if (failure) throw failure;
    },
  };
}
