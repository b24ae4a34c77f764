/**
 * The SourceReadContext a read needs (docs/dataflows.md, Contracts): the spec, the exact authSpec
 * name, opened credentials and params, and the callback that stores rotated OAuth tokens.
 */
import type { RotatedCredentials } from "../engine/index.ts";
import { FlowError } from "../errors.ts";
import type { JsonObject, Scope } from "../store/metadata-store.ts";
import { openBaseConnection } from "./base-connections.ts";
import { persistRotatedCredentials } from "./credentials.ts";
import type { ConnectionDeps } from "./deps.ts";
import { loadInScope } from "./resources.ts";
import { openParams, secretValues } from "./secret-fields.ts";
import { loadConnectionSpec, sourceParamsSchema, specRefOf } from "./specs.ts";

export interface SourceReadContext {
  readonly sourceConnectionId: string;
  /** Empty when the connection spec declares no credentials and the source connection has no base connection. */
  readonly baseConnectionId: string;
  readonly connectionSpecId: string;
  /** The stored spec document. */
  readonly connectionSpec: JsonObject;
  /** The authSpec entry's exact `name` ("" without a base connection). */
  readonly authSpecName: string;
  /** Auth params, secrets opened: never log them. */
  readonly auth: Readonly<Record<string, unknown>>;
  /** Source connection params, secrets opened. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The plaintext secrets of auth and params, for callers that scrub their own messages. */
  readonly secretValues: readonly string[];
  /**
   * Stores rotated OAuth tokens back on the base connection (sealed, compare-and-set retried).
   * Rejects, after logging, when they cannot be stored: the read should then fail visibly.
   */
  onCredentialsRotated(rotated: RotatedCredentials): Promise<void>;
}

/** Throws FlowError notFound (1101) for a source or base connection missing in the scope. */
export async function sourceReadContext(
  deps: ConnectionDeps,
  scope: Scope,
  sourceConnectionId: string,
): Promise<SourceReadContext> {
  const source = await loadInScope(deps.store, "sourceConnections", scope, sourceConnectionId);
  const ref = specRefOf(source.doc);
  if (ref === undefined) {
    throw new FlowError("internal", `Source connection ${sourceConnectionId} has no connection spec.`, {
      id: sourceConnectionId,
      type: "sourceConnections",
    });
  }
  const params = openParams(source.doc.params, source.id, deps.secrets);
  const baseConnectionId = typeof source.doc.baseConnectionId === "string" ? source.doc.baseConnectionId : "";
  if (baseConnectionId === "") {
    const spec = await loadConnectionSpec(deps.store, ref.id);
    return {
      sourceConnectionId,
      baseConnectionId,
      connectionSpecId: spec.id,
      connectionSpec: spec.doc,
      authSpecName: "",
      auth: {},
      params,
      secretValues: secretValues(params, sourceParamsSchema(spec.doc)),
      onCredentialsRotated: async () => {},
    };
  }
  const base = await openBaseConnection(deps, scope, baseConnectionId);
  if (base.spec.id !== ref.id) {
    throw new FlowError(
      "invalidSpecId",
      `Source connection ${sourceConnectionId} uses connection spec ${ref.id} but its base connection ${baseConnectionId} uses ${base.spec.id}.`,
      { id: sourceConnectionId, type: "sourceConnections" },
    );
  }
  return {
    sourceConnectionId,
    baseConnectionId,
    connectionSpecId: base.spec.id,
    connectionSpec: base.spec.doc,
    authSpecName: base.authSpecName,
    auth: base.auth,
    params,
    secretValues: [...base.secretValues, ...secretValues(params, sourceParamsSchema(base.spec.doc))],
    onCredentialsRotated: (rotated) => persistRotatedCredentials(deps, scope, baseConnectionId, rotated),
  };
}
