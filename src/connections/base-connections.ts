/**
 * Base connections (`/connections`, spec §1.4): a connection spec reference plus the credentials
 * of one of its authSpec entries.
 *
 * Stored document: `{name, description?, connectionSpec:{id, version}, auth:{specName, params},
 * state, limits?}` (`limits`: Inlet's per-account fleet limits, src/fleet/limits.ts); `auth.specName` is the matched authSpec entry's exact `name` (the docs spell the same
 * entry several ways, spec §3; storing the canonical name makes every later lookup exact), and
 * every secret in `auth.params` is sealed with the connection id as associated data. The parent id
 * is the connection spec id (what DELETE /connectionSpecs checks).
 */
import { EngineError, findAuthSpec, testAuthorization } from "../engine/index.ts";
import { FlowError, type Problem } from "../errors.ts";
import { globalScope, type JsonObject, type Scope, type StoredResource } from "../store/metadata-store.ts";
import { applyRotation } from "./credentials.ts";
import type { ConnectionDeps, PreparedDoc } from "./deps.ts";
import { interactiveHttpFor } from "./http.ts";
import { instanceStates, loadInScope, pick, sameJson } from "./resources.ts";
import { assertNoProblems, schemaProblems } from "./schema-check.ts";
import {
  isObject,
  maskProblems,
  openOrRefuse,
  openParams,
  restoreMasked,
  scrub,
  sealParams,
  secretValues,
} from "./secret-fields.ts";
import {
  assertSameConnectionSpec,
  loadConnectionSpec,
  resolveSpecRef,
  type SpecRef,
  specRefOf,
  specRefSchema,
} from "./specs.ts";
import { flowsUsing, inUse } from "./usage.ts";

/** The create body (spec §1.4); it also checks the whole document after a PATCH. */
export const baseConnectionBodySchema = {
  type: "object",
  required: ["name", "connectionSpec", "auth"],
  properties: {
    name: { type: "string", minLength: 1 },
    description: { type: "string" },
    connectionSpec: specRefSchema,
    auth: {
      type: "object",
      required: ["specName", "params"],
      properties: { specName: { type: "string", minLength: 1 }, params: { type: "object" } },
    },
    /** Inlet extension, used by the worker fleet (src/fleet/limits.ts): per upstream account. */
    limits: {
      type: "object",
      additionalProperties: false,
      properties: {
        maxConcurrentRuns: { type: "integer", minimum: 1 },
        requestsPerMinute: { type: "number", exclusiveMinimum: 0 },
      },
    },
  },
} as const;

const patchedSchema = {
  ...baseConnectionBodySchema,
  properties: { ...baseConnectionBodySchema.properties, state: { enum: [...instanceStates] } },
};

type AuthEntry = NonNullable<ReturnType<typeof findAuthSpec>>;

function authEntryOf(spec: StoredResource, specName: string): AuthEntry {
  const entry = findAuthSpec(spec.doc, specName);
  if (!entry) {
    throw new FlowError(
      "authSpecNotFound",
      `Auth spec "${specName}" not found for connection spec ${spec.id}; use one of: ${authNames(spec.doc)}.`,
      { specName, connectionSpecId: spec.id },
    );
  }
  return entry;
}

function authNames(spec: JsonObject): string {
  const names = (Array.isArray(spec.authSpec) ? spec.authSpec : [])
    .map((entry) => (isObject(entry) && typeof entry.name === "string" ? JSON.stringify(entry.name) : undefined))
    .filter((name) => name !== undefined);
  return names.length === 0 ? "(the spec declares no authSpec)" : names.join(", ");
}

/** The URL to test credentials with: the auth param, else the auth schema's default for it. */
export function authorizationTestUrlOf(auth: Readonly<Record<string, unknown>>, schema: unknown): string | undefined {
  const given = auth.authorizationTestUrl;
  if (typeof given === "string" && given.trim() !== "") return given;
  const declared = isObject(schema) && isObject(schema.properties) ? schema.properties.authorizationTestUrl : undefined;
  const fallback = isObject(declared) ? declared.default : undefined;
  return typeof fallback === "string" && fallback.trim() !== "" ? fallback : undefined;
}

/**
 * Runs `authorizationTestUrl` when there is one (spec §3.1: on create; Inlet also on a PATCH that
 * changes the credentials). Tokens the test rotates are applied to the returned params, so the
 * record stores the newest refresh token. A non-2xx is a 400 naming the upstream status.
 */
async function checkCredentials(
  deps: ConnectionDeps,
  spec: StoredResource,
  entry: AuthEntry,
  auth: Record<string, unknown>,
) {
  const url = authorizationTestUrlOf(auth, entry.spec);
  if (url === undefined) return auth;
  let current = auth;
  const secrets = secretValues(auth, entry.spec);
  let result: Awaited<ReturnType<typeof testAuthorization>>;
  try {
    result = await testAuthorization({
      spec: spec.doc,
      authSpecName: entry.name,
      auth: { ...auth, authorizationTestUrl: url },
      http: interactiveHttpFor(deps),
      onCredentialsRotated: (rotated) => {
        current = applyRotation(current, rotated);
        secrets.push(rotated.accessToken, ...(rotated.refreshToken ? [rotated.refreshToken] : []));
      },
    });
  } catch (cause) {
    if (!(cause instanceof EngineError)) throw cause;
    result = { ok: false, ...(cause.status === undefined ? {} : { status: cause.status }), reason: cause.message };
  }
  if (result.ok) return current;
  const status = result.status === undefined ? "" : ` with status ${result.status}`;
  const reason = scrub(result.reason ?? "no reason given", secrets);
  throw new FlowError(
    "authorizationTestFailed",
    `The authorization test at ${scrub(url, secrets)} failed${status}: ${reason}. Check the credentials in auth.params.`,
    { ...(result.status === undefined ? {} : { upstreamStatus: result.status }), reason },
  );
}

function paramsOf(doc: JsonObject): unknown {
  return isObject(doc.auth) ? doc.auth.params : undefined;
}

async function build(
  deps: ConnectionDeps,
  id: string,
  fields: JsonObject,
  spec: StoredResource,
  ref: SpecRef,
  specName: string,
  params: Record<string, unknown>,
  testWhen: (entry: AuthEntry) => boolean,
): Promise<PreparedDoc> {
  const entry = authEntryOf(spec, specName);
  const problems: Problem[] = [
    ...maskProblems(params, entry.spec, "/auth/params"),
    ...schemaProblems(
      params,
      entry.spec,
      "/auth/params",
      `The auth spec "${entry.name}" of connection spec ${spec.id}`,
    ),
  ];
  assertNoProblems(problems, "The connection");
  const checked = testWhen(entry) ? await checkCredentials(deps, spec, entry, params) : params;
  const doc = {
    ...pick(fields, ["name", "description", "limits"]),
    connectionSpec: { id: ref.id, version: ref.version },
    auth: { specName: entry.name, params: sealParams(checked, entry.spec, id, deps.secrets) },
    state: typeof fields.state === "string" ? fields.state : "enabled",
  };
  return { doc, parentId: ref.id };
}

/** POST /connections: a body that passed `baseConnectionBodySchema`. */
export async function prepareBaseConnection(deps: ConnectionDeps, id: string, body: JsonObject): Promise<PreparedDoc> {
  const requested = body.connectionSpec as { id: string; version?: string };
  const spec = await loadConnectionSpec(deps.store, requested.id);
  const ref = resolveSpecRef(spec, requested.version);
  const auth = body.auth as { specName: string; params: Record<string, unknown> };
  return build(
    deps,
    id,
    pick(body, ["name", "description", "limits"]),
    spec,
    ref,
    auth.specName,
    auth.params,
    () => true,
  );
}

/**
 * PATCH /connections/{id}: `patched` is the stored document with the JSON Patch applied. The
 * connection spec is immutable (1414); `***` where a secret is stored keeps it; the auth params
 * are validated again and sealed afresh; the credentials are tested again when they changed.
 */
export async function prepareBaseConnectionPatch(
  deps: ConnectionDeps,
  patched: JsonObject,
  previous: StoredResource,
): Promise<PreparedDoc> {
  assertSameConnectionSpec(patched, previous, "connection");
  assertNoProblems(schemaProblems(patched, patchedSchema, "", "The connection document"), "The patched connection");
  const ref = specRefOf(previous.doc) as SpecRef;
  const spec = await loadConnectionSpec(deps.store, ref.id);
  const auth = patched.auth as { specName: string; params: Record<string, unknown> };
  const restored = restoreMasked(auth.params, paramsOf(previous.doc));
  const params = openOrRefuse(restored, previous.id, deps.secrets, "/auth/params");
  const before = openParams(paramsOf(previous.doc), previous.id, deps.secrets);
  const previousName = isObject(previous.doc.auth) ? previous.doc.auth.specName : undefined;
  const changed = (entry: AuthEntry) => entry.name !== previousName || !sameJson(params, before);
  return build(deps, previous.id, patched, spec, ref, auth.specName, params, changed);
}

/** Refused while a source connection, or a flow through one, uses the connection (1418). */
export async function assertBaseConnectionDeletable(deps: ConnectionDeps, scope: Scope, resource: StoredResource) {
  const sources = await deps.store.listResources("sourceConnections", scope, { parentId: resource.id });
  const sourceIds = sources.map((source) => source.id);
  const flows = await flowsUsing(deps.store, scope, "sourceConnectionIds", sourceIds);
  if (flows.length > 0) throw inUse("connections", resource.id, flows, "flows");
  if (sourceIds.length > 0) throw inUse("connections", resource.id, sourceIds, "sourceConnections");
}

/** A base connection ready for the engine: its spec, the exact authSpec name and opened credentials. */
export interface OpenedBaseConnection {
  readonly resource: StoredResource;
  readonly spec: StoredResource;
  readonly authSpecName: string;
  readonly authSchema: JsonObject | undefined;
  /** Plaintext credentials: never log or return these. */
  readonly auth: Record<string, unknown>;
  /** The plaintext secret values among `auth`, for scrubbing messages. */
  readonly secretValues: readonly string[];
}

export async function openBaseConnection(
  deps: ConnectionDeps,
  scope: Scope,
  id: string,
): Promise<OpenedBaseConnection> {
  const resource = await loadInScope(deps.store, "connections", scope, id);
  const ref = specRefOf(resource.doc);
  const spec = ref === undefined ? undefined : await deps.store.getResource("connectionSpecs", globalScope, ref.id);
  if (!spec) {
    throw new FlowError(
      "invalidSpecId",
      `The connection spec ${ref?.id ?? "(none)"} of connection ${id} no longer exists.`,
      { id, type: "connections" },
    );
  }
  const stored = isObject(resource.doc.auth) ? resource.doc.auth : {};
  const entry = authEntryOf(spec, typeof stored.specName === "string" ? stored.specName : "");
  const auth = openParams(stored.params, id, deps.secrets);
  return {
    resource,
    spec,
    authSpecName: entry.name,
    authSchema: isObject(entry.spec) ? entry.spec : undefined,
    auth,
    secretValues: secretValues(auth, entry.spec),
  };
}
