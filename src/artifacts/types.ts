/** Shared shapes of the artifact checks (spec §8). */

export type Severity = "error" | "warning";

/** One finding about one artifact file, with a position or JSON Pointer when it has one. */
export interface ArtifactProblem {
  /** The file name inside `Artifacts/` (or the folder itself, ending with `/`). */
  readonly file: string;
  readonly severity: Severity;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  /** JSON Pointer (RFC 6901) into the connection spec. */
  readonly pointer?: string;
}

/** A finding before it is attached to a file. */
export type Finding = Omit<ArtifactProblem, "file">;

export interface SourceReport {
  readonly source: string;
  /** The `Artifacts/` folder (or the folder that should hold it). */
  readonly dir: string;
  readonly problems: readonly ArtifactProblem[];
  /** The parsed connection spec, when its file parsed as a JSON object. */
  readonly spec?: Record<string, unknown>;
  /** The canonical category key, when the category file named one. */
  readonly category?: string;
  readonly label?: string;
  readonly description?: string;
}

export interface ValidationReport {
  readonly root: string;
  readonly sources: readonly SourceReport[];
  readonly errors: number;
  readonly warnings: number;
}

export const hasErrors = (problems: readonly ArtifactProblem[]): boolean =>
  problems.some((problem) => problem.severity === "error");
