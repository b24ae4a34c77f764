/**
 * Base, source and target connections (spec §1.4-§1.6, §3, §5): validation against the
 * connection spec, secrets sealed with the SecretBox, explore/test, and the SourceReadContext a
 * read needs. No HTTP framework here; the routes in src/api/routes/ are thin adapters.
 */
export {
  assertBaseConnectionDeletable,
  baseConnectionBodySchema,
  type OpenedBaseConnection,
  openBaseConnection,
  prepareBaseConnection,
  prepareBaseConnectionPatch,
} from "./base-connections.ts";
export { persistRotatedCredentials } from "./credentials.ts";
export type { ConnectionDeps, PreparedDoc } from "./deps.ts";
export {
  type ExploreQuery,
  type ExploreResult,
  exploreConnection,
  type TestResult,
  testConnection,
} from "./explore.ts";
export type { ConnectionLogger } from "./logger.ts";
export { type SourceReadContext, sourceReadContext } from "./read-context.ts";
export { maskParams as maskSecrets, secretMask } from "./secret-fields.ts";
export {
  assertSourceConnectionDeletable,
  prepareSourceConnection,
  prepareSourceConnectionPatch,
  sourceConnectionBodySchema,
} from "./source-connections.ts";
export { decodeSourceParams } from "./source-params.ts";
export { dataLakeTargetSpecId } from "./specs.ts";
export {
  assertTargetConnectionDeletable,
  prepareTargetConnection,
  prepareTargetConnectionPatch,
  targetConnectionBodySchema,
} from "./target-connections.ts";
