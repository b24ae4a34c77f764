/**
 * Connection specs and flow specs: their JSON Schemas (for OpenAPI and the structural lint), the
 * linter, the canonical stored form, the built-in specs and the category vocabulary.
 */
export {
  dataLakeConnectionSpec,
  dataLakeConnectionSpecId,
  genericRestProviderId,
  restStorageToAepFlowSpec,
  restStorageToAepFlowSpecId,
} from "./builtins.ts";
export { canonicalConnectionSpec } from "./canonical.ts";
export { type CategoryKey, canonicalCategory, categoryKeys, nearestCategory } from "./categories.ts";
export { checkDateFormat, type DateFormatCheck } from "./date-format.ts";
export { jsonPathProblem } from "./json-paths.ts";
export { connectionSpecJsonSchema, flowSpecJsonSchema } from "./json-schemas.ts";
export { type JsonText, parseJsonText } from "./json-text.ts";
export { lintConnectionSpec } from "./lint-connection-spec.ts";
export { lintFlowSpec } from "./lint-flow-spec.ts";
export { paginationTypes } from "./lint-source-spec.ts";
export type { LintReport } from "./problems.ts";
export { serverOwnedFields, withoutServerFields } from "./server-fields.ts";
