/**
 * The file layout of one `Artifacts/` folder (spec §8): exactly five files, each named after the
 * source folder. A misnamed file is still checked (under its actual name) so one run reports
 * everything.
 */
import type { ArtifactProblem } from "./types.ts";

export const artifactKinds = ["category", "description", "icon", "label", "connectionSpec"] as const;
export type ArtifactKind = (typeof artifactKinds)[number];

export const artifactSuffixes: Readonly<Record<ArtifactKind, string>> = {
  category: "-category.txt",
  description: "-description.txt",
  icon: "-icon.svg",
  label: "-label.txt",
  connectionSpec: "-connectionSpec.json",
};

/** How a wrongly named file is still recognised as one of the five. */
const looseNames: Readonly<Record<ArtifactKind, readonly RegExp[]>> = {
  category: [/category\.txt$/i],
  description: [/description\.txt$/i],
  icon: [/icon\.svg$/i, /\.svg$/i],
  label: [/label\.txt$/i],
  connectionSpec: [/connection-?spec\.json$/i, /spec\.json$/i, /\.json$/i],
};

/** Source folder names, like Adobe's `mailchimp-members`: lowercase words joined by dashes. */
export const sourceNamePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface FolderEntry {
  readonly name: string;
  readonly isFile: boolean;
}

export interface FileLayout {
  /** The file that holds each artifact, by its actual name. */
  readonly files: Partial<Record<ArtifactKind, string>>;
  readonly problems: readonly ArtifactProblem[];
}

export const expectedName = (source: string, kind: ArtifactKind): string => `${source}${artifactSuffixes[kind]}`;

export function checkFileNames(source: string, entries: readonly FolderEntry[]): FileLayout {
  const problems: ArtifactProblem[] = [];
  const files: Partial<Record<ArtifactKind, string>> = {};
  const visible = entries.filter((e) => !e.name.startsWith("."));
  const unclaimed = new Set(visible.filter((e) => e.isFile).map((e) => e.name));

  for (const kind of artifactKinds) {
    const expected = expectedName(source, kind);
    if (unclaimed.delete(expected)) files[kind] = expected;
  }
  for (const kind of artifactKinds) {
    if (files[kind] !== undefined) continue;
    const expected = expectedName(source, kind);
    const candidates = [...unclaimed];
    const match =
      candidates.find((name) => name.toLowerCase() === expected.toLowerCase()) ??
      looseNames[kind]
        .map((pattern) => candidates.find((name) => pattern.test(name)))
        .find((name) => name !== undefined);
    if (match !== undefined) {
      unclaimed.delete(match);
      files[kind] = match;
      problems.push({
        file: match,
        severity: "error",
        message: `misnamed: rename it to ${expected} (artifact files are named after the source folder "${source}")`,
      });
    } else {
      problems.push({
        file: expected,
        severity: "error",
        message: `missing: the ${kind} file ${expected} is required`,
      });
    }
  }
  for (const name of unclaimed) {
    problems.push({
      file: name,
      severity: "warning",
      message: "unexpected file: an Artifacts folder holds only the five source files",
    });
  }
  for (const entry of visible) {
    if (!entry.isFile) {
      problems.push({ file: `${entry.name}/`, severity: "warning", message: "unexpected folder inside Artifacts" });
    }
  }
  return { files, problems };
}
