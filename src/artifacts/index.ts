/** Source artifacts (spec §8): validate a `Sources/{source}/Artifacts/` tree and register it. */
export { ArtifactsPathError, discoverSources, type SourceFolder } from "./discover.ts";
export { artifactKinds, artifactSuffixes, checkFileNames, expectedName } from "./files.ts";
export {
  FlowServiceClient,
  FlowServiceError,
  type FlowServiceOptions,
  flowServiceBase,
} from "./flow-service-client.ts";
export {
  appendToFlowSpec,
  formatRegisterResult,
  type RegisterResult,
  registerArtifacts,
  upsertConnectionSpec,
} from "./register.ts";
export { formatReport, reportJson } from "./report.ts";
export { checkSvg, maxIconBytes, type SvgFinding } from "./svg.ts";
export { checkCategory, checkDescription, checkLabel, descriptionMaxChars, labelMaxChars } from "./text.ts";
export type { ArtifactProblem, SourceReport, ValidationReport } from "./types.ts";
export { validateArtifacts } from "./validate.ts";
