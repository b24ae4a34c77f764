/**
 * Mapping sets (Data Prep, spec §1.7): reading and validating both dialects, the expression
 * language (docs/mapping.md), and compiling a set against a dataset schema once per run.
 */
import type { MetadataStore, Scope, StoredResource } from "../store/metadata-store.ts";

export { type CompiledMapping, compileMapping, identityMapping, type MappingOutcome } from "./compile.ts";
export { type DestinationType, resolveDestination } from "./destinations.ts";
export { compileExpression, EvaluationFailure, type Evaluator } from "./evaluate.ts";
export { type Expression, ExpressionSyntaxError, expressionLimits, parseExpression } from "./expression.ts";
export { type EvaluationContext, type FunctionDefinition, mappingFunctions } from "./functions.ts";
export {
  analyseEntries,
  type MappingEntry,
  type MappingSetReading,
  mappingInvalid,
  readMappingSet,
  type SourceType,
} from "./mapping-set.ts";
export { type FieldPath, formatPath, type PathSegment, parsePath } from "./path.ts";

export const mappingSetKind = "mappingSets";

export function getMappingSet(store: MetadataStore, scope: Scope, id: string): Promise<StoredResource | undefined> {
  return store.getResource(mappingSetKind, scope, id);
}
