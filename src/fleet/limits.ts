/**
 * Per-connection limits, an Inlet extension on the base connection document (spec §1.4 has no such
 * field): `limits: { maxConcurrentRuns?: integer ≥ 1 (default 1), requestsPerMinute?: number > 0 }`.
 * - maxConcurrentRuns: runs of all flows reading through this connection (one upstream account) at
 *   once, across the whole fleet;
 * - requestsPerMinute: the account's request rate across the fleet, on top of the connection spec's
 *   `delayRequestMillis` (the larger spacing wins, rate-limit.ts).
 * The embedded runner ignores them (one process, `INLET_RUN_CONCURRENCY` runs at once, and the
 * engine's own delayRequestMillis per read).
 */
import type { SourceReadContext } from "../connections/index.ts";
import { sourceSettings } from "../engine/index.ts";
import type { ExecuteRunDeps } from "../flows/execute-run.ts";
import type { JsonObject, MetadataStore, Scope } from "../store/metadata-store.ts";
import type { FleetPacer } from "./rate-limit.ts";
import { spacingMs } from "./rate-limit.ts";

export interface ConnectionLimits {
  readonly maxConcurrentRuns: number;
  readonly requestsPerMinute: number | undefined;
}

export const defaultLimits: ConnectionLimits = { maxConcurrentRuns: 1, requestsPerMinute: undefined };

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Numbers may come as numeric strings, as the Batch SDK's examples send them. */
function numberOf(value: unknown): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

export function connectionLimits(doc: JsonObject | undefined): ConnectionLimits {
  const limits = doc && isObject(doc.limits) ? doc.limits : {};
  const runs = numberOf(limits.maxConcurrentRuns);
  const rpm = numberOf(limits.requestsPerMinute);
  return {
    maxConcurrentRuns: runs !== undefined && Number.isInteger(runs) && runs >= 1 ? runs : 1,
    requestsPerMinute: rpm !== undefined && rpm > 0 ? rpm : undefined,
  };
}

/** The base connection a flow reads through (its first source connection's), if any. */
export async function baseConnectionOfFlow(
  store: MetadataStore,
  scope: Scope,
  flowDoc: JsonObject,
): Promise<{ id: string; doc: JsonObject } | undefined> {
  const sourceIds = Array.isArray(flowDoc.sourceConnectionIds) ? flowDoc.sourceConnectionIds : [];
  const sourceId = typeof sourceIds[0] === "string" ? sourceIds[0] : undefined;
  if (sourceId === undefined) return undefined;
  const source = await store.getResource("sourceConnections", scope, sourceId);
  const baseId = source && typeof source.doc.baseConnectionId === "string" ? source.doc.baseConnectionId : undefined;
  if (!baseId) return undefined;
  const base = await store.getResource("connections", scope, baseId);
  return base ? { id: base.id, doc: base.doc } : { id: baseId, doc: {} };
}

/** The spec's delayRequestMillis (coerced like the engine does), if the spec has one. */
export function delayRequestMillis(source: Pick<SourceReadContext, "connectionSpec" | "params">): number | undefined {
  try {
    const pagination = sourceSettings(source.connectionSpec, source.params)("paginationParams");
    return isObject(pagination) ? numberOf(pagination.delayRequestMillis) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The executor's `pace` for a worker: every request of a run waits for its account's next slot in
 * the fleet-wide pacer. Unpaced (no database round trip) when the account has no spacing.
 */
export function fleetPace(store: MetadataStore, pacer: FleetPacer): NonNullable<ExecuteRunDeps["pace"]> {
  return async ({ scope, source, signal }) => {
    const key = source.baseConnectionId;
    if (!key) return undefined;
    const base = await store.getResource("connections", scope, key);
    const spacing = spacingMs({
      delayRequestMillis: delayRequestMillis(source),
      requestsPerMinute: connectionLimits(base?.doc).requestsPerMinute,
    });
    if (spacing === 0) return undefined;
    return async () => {
      await pacer.acquire(key, spacing, signal);
    };
  };
}
