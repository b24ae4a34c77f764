/**
 * Explore (spec §5) and the connectivity test of a base connection. Both make live requests with
 * the stored credentials; rotated OAuth tokens are stored back on the connection.
 */
import { EngineError, previewSource, testAuthorization } from "../engine/index.ts";
import { FlowError } from "../errors.ts";
import type { Scope } from "../store/metadata-store.ts";
import { authorizationTestUrlOf, openBaseConnection } from "./base-connections.ts";
import { rotationRecorder } from "./credentials.ts";
import type { ConnectionDeps } from "./deps.ts";
import { interactiveHttpFor } from "./http.ts";
import { assertNoProblems, schemaProblems } from "./schema-check.ts";
import { openParams, scrub } from "./secret-fields.ts";
import { decodeSourceParams } from "./source-params.ts";
import { sourceParamsSchema } from "./specs.ts";
import { asFlowError } from "./upstream-errors.ts";

export interface ExploreQuery {
  readonly objectType?: string;
  readonly object?: string;
  readonly fileType?: string;
  readonly preview?: string;
  readonly sourceParams?: string;
}

export interface ExploreResult {
  readonly format: "hierarchical";
  readonly schema: object;
  readonly data: Record<string, unknown>[];
}

/**
 * GET /connections/{id}/explore. REST sources know one object type, `rest` (the default); `object`,
 * `fileType` and `preview` are accepted as sent (always a JSON preview of the first page).
 */
export async function exploreConnection(
  deps: ConnectionDeps,
  scope: Scope,
  connectionId: string,
  query: ExploreQuery,
): Promise<ExploreResult> {
  if (query.objectType !== undefined && query.objectType.toLowerCase() !== "rest") {
    throw new FlowError(
      "badQueryParam",
      `The query parameter objectType=${JSON.stringify(query.objectType).slice(0, 40)} is not supported: REST sources are explored with objectType=rest.`,
      { parameter: "objectType" },
    );
  }
  const params = decodeSourceParams(query.sourceParams);
  const base = await openBaseConnection(deps, scope, connectionId);
  const schema = sourceParamsSchema(base.spec.doc);
  assertNoProblems(
    schemaProblems(params, schema, "", `sourceSpec.spec of connection spec ${base.spec.id}`),
    "The sourceParams query parameter",
  );
  const rotation = rotationRecorder(deps, scope, connectionId);
  try {
    return await previewSource({
      spec: base.spec.doc,
      authSpecName: base.authSpecName,
      auth: base.auth,
      params,
      http: interactiveHttpFor(deps),
      onCredentialsRotated: rotation.onCredentialsRotated,
    });
  } catch (cause) {
    rotation.rethrowFailure();
    throw asFlowError(cause, `Explore of connection ${connectionId}`, base.secretValues) ?? cause;
  }
}

export interface TestResult {
  readonly result: boolean;
  /** Why the test failed (redacted); Inlet's addition to Adobe's `{result}`. */
  readonly reason?: string;
}

/**
 * GET /connections/{id}/test. With an `authorizationTestUrl` (auth param or the auth schema's
 * default) that URL is called: 2xx is true. Without one, a one-record preview is the test, with the
 * params of the connection's oldest source connection (or none): true when the source answered
 * 2xx, false when it refused or failed. A request that cannot even be built (the path needs source
 * params nobody has given) is a 400 saying so, not a made-up true or false.
 */
export async function testConnection(deps: ConnectionDeps, scope: Scope, connectionId: string): Promise<TestResult> {
  const base = await openBaseConnection(deps, scope, connectionId);
  const rotation = rotationRecorder(deps, scope, connectionId);
  const clean = (text: string | undefined) => scrub(text ?? "no reason given", base.secretValues);
  const url = authorizationTestUrlOf(base.auth, base.authSchema);
  if (url !== undefined) {
    let outcome: Awaited<ReturnType<typeof testAuthorization>>;
    try {
      outcome = await testAuthorization({
        spec: base.spec.doc,
        authSpecName: base.authSpecName,
        auth: { ...base.auth, authorizationTestUrl: url },
        http: interactiveHttpFor(deps),
        onCredentialsRotated: rotation.onCredentialsRotated,
      });
    } catch (cause) {
      rotation.rethrowFailure();
      throw asFlowError(cause, `Test of connection ${connectionId}`, base.secretValues) ?? cause;
    }
    rotation.rethrowFailure();
    return outcome.ok ? { result: true } : { result: false, reason: clean(outcome.reason) };
  }
  const [source] = await deps.store.listResources("sourceConnections", scope, { parentId: connectionId });
  const params = source ? openParams(source.doc.params, source.id, deps.secrets) : {};
  try {
    await previewSource({
      spec: base.spec.doc,
      authSpecName: base.authSpecName,
      auth: base.auth,
      params,
      limit: 1,
      http: interactiveHttpFor(deps),
      onCredentialsRotated: rotation.onCredentialsRotated,
    });
    return { result: true };
  } catch (cause) {
    rotation.rethrowFailure();
    if (!(cause instanceof EngineError)) throw cause;
    if (cause.kind === "spec" || cause.kind === "params") {
      throw new FlowError(
        "badRequest",
        `Connection ${connectionId} cannot be tested: it has no authorizationTestUrl and a first-page request ` +
          `cannot be built${source ? ` with the params of source connection ${source.id}` : " without source params"}: ` +
          `${clean(cause.message)}. Add an authorizationTestUrl, or create a source connection, or use explore.`,
        { id: connectionId, type: "connections", engineErrorKind: cause.kind },
      );
    }
    // The source answered 2xx with these credentials; what it answered is explore's business.
    if (cause.kind === "extraction" || cause.kind === "loop") return { result: true };
    return { result: false, reason: clean(cause.message) };
  }
}
