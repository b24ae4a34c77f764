/**
 * Process-wide memory of OAuth2 refreshes, keyed by token URL + client id + the refresh token used.
 * It exists for the failure modes peers keep shipping (peers.md §3):
 * - Concurrent refreshes of one credential coalesce into one token call (`coalesce`), so reads
 *   sharing a credential never race a rotating refresh token into `invalid_grant`.
 * - A read that starts with credentials another read has since rotated finds the newer tokens here
 *   (following the rotation chain) instead of spending a refresh token that is already dead.
 * - Rotated credentials are handed to `onCredentialsRotated` exactly once (`handOver`); when that
 *   callback fails they stay here, and the next read of the same credential hands them over again.
 * Entries live for a day at most and the map is bounded, oldest first out.
 */
import { EngineError } from "../errors.ts";
import type { Redactor } from "../redact.ts";
import type { RefreshConfig, RotatedCredentials } from "./types.ts";

export interface Rotation {
  readonly credentials: RotatedCredentials;
  /** Epoch ms the new access token expires, when the token endpoint said. */
  readonly expiresAt?: number;
  readonly storedAt: number;
  persisted: boolean;
  persisting?: Promise<void>;
}

const maxEntries = 1000;
const entryTtlMs = 24 * 60 * 60 * 1000;
const inflight = new Map<string, Promise<Rotation>>();
const rotations = new Map<string, Rotation>();

export function rotationKey(config: RefreshConfig, refreshToken: string): string {
  return `${config.url}\u0000${config.clientId ?? ""}\u0000${refreshToken}`;
}

/** The rotation that replaced `key`'s refresh token, if this process made one recently. */
export function rotationOf(key: string, now: number): Rotation | undefined {
  const rotation = rotations.get(key);
  if (rotation && now - rotation.storedAt > entryTtlMs) {
    rotations.delete(key);
    return undefined;
  }
  return rotation;
}

function remember(key: string, rotation: Rotation): void {
  rotations.delete(key);
  rotations.set(key, rotation);
  while (rotations.size > maxEntries) {
    const oldest = rotations.keys().next().value;
    if (oldest === undefined) break;
    rotations.delete(oldest);
  }
}

/** Runs `refresh` unless a refresh with the same key is in flight, in which case it joins that one. */
export function coalesce(key: string, refresh: () => Promise<Rotation>): Promise<Rotation> {
  let pending = inflight.get(key);
  if (!pending) {
    pending = refresh().then(
      (rotation) => {
        remember(key, rotation);
        inflight.delete(key);
        return rotation;
      },
      (error: unknown) => {
        inflight.delete(key);
        throw error;
      },
    );
    inflight.set(key, pending);
  }
  return pending;
}

/**
 * Hands a rotation to the caller's persistence callback once. Concurrent callers wait for the one
 * in progress; if it failed, the next caller tries its own callback.
 */
export async function handOver(
  rotation: Rotation,
  callback: (c: RotatedCredentials) => void | Promise<void>,
  redactor: Redactor,
): Promise<void> {
  for (let pending = rotation.persisting; pending !== undefined; pending = rotation.persisting)
    await pending.catch(() => {});
  if (rotation.persisted) return;
  const attempt = (async () => callback(rotation.credentials))();
  rotation.persisting = attempt;
  try {
    await attempt;
    rotation.persisted = true;
  } catch (cause) {
    const message = redactor.text(cause instanceof Error ? cause.message : String(cause));
    throw new EngineError(
      "auth",
      `The token endpoint rotated the credentials but onCredentialsRotated failed (${message}). The new tokens ` +
        "are kept in this process and handed over again by the next read of this credential; if the process " +
        "stops first, the connection must be re-authorised.",
    );
  } finally {
    if (rotation.persisting === attempt) delete rotation.persisting;
  }
}
