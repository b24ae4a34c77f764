/** `inlet artifacts validate`: every check of spec §8 over one or many source folders. */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { discoverSources, type SourceFolder } from "./discover.ts";
import { type ArtifactKind, checkFileNames, sourceNamePattern } from "./files.ts";
import { checkConnectionSpecText, crossCheck } from "./spec-file.ts";
import { checkSvg } from "./svg.ts";
import { checkCategory, checkDescription, checkLabel, decodeText } from "./text.ts";
import type { ArtifactProblem, Finding, SourceReport, ValidationReport } from "./types.ts";

/** Text artifacts are a line or two; the spec a few dozen KiB. Bigger files are not read. */
const maxBytes: Readonly<Record<ArtifactKind, number>> = {
  category: 4 * 1024,
  description: 16 * 1024,
  label: 4 * 1024,
  icon: 1024 * 1024,
  connectionSpec: 4 * 1024 * 1024,
};

export async function validateArtifacts(input: string): Promise<ValidationReport> {
  const folders = await discoverSources(input);
  const sources: SourceReport[] = [];
  for (const folder of folders) sources.push(await validateSource(folder));
  const all = sources.flatMap((s) => s.problems);
  return {
    root: input,
    sources,
    errors: all.filter((p) => p.severity === "error").length,
    warnings: all.filter((p) => p.severity === "warning").length,
  };
}

async function readBytes(file: string, limit: number): Promise<Uint8Array | Finding> {
  try {
    const info = await stat(file);
    if (info.size > limit) {
      return {
        severity: "error",
        message: `the file is ${info.size} bytes; at most ${limit} are read for this artifact`,
      };
    }
    return await readFile(file);
  } catch (error) {
    return { severity: "error", message: `cannot read the file: ${(error as Error).message}` };
  }
}

export async function validateSource(folder: SourceFolder): Promise<SourceReport> {
  const { source, artifactsDir } = folder;
  const base = { source, dir: artifactsDir };
  if (folder.missing) {
    return {
      ...base,
      problems: [{ file: "Artifacts/", severity: "error", message: `${source}/ has no Artifacts/ folder` }],
    };
  }
  const problems: ArtifactProblem[] = [];
  if (folder.artifactsName !== undefined) {
    problems.push({
      file: `${folder.artifactsName}/`,
      severity: "error",
      message: `the folder must be named exactly "Artifacts" (found "${folder.artifactsName}")`,
    });
  }
  if (!sourceNamePattern.test(source)) {
    problems.push({
      file: `${source}/`,
      severity: "warning",
      message: "source folder names are lowercase words joined by dashes, like mailchimp-members",
    });
  }
  const entries = await readdir(artifactsDir, { withFileTypes: true });
  const layout = checkFileNames(
    source,
    entries.map((e) => ({ name: e.name, isFile: e.isFile() })),
  );
  problems.push(...layout.problems);

  const texts: Partial<Record<ArtifactKind, string>> = {};
  const bytesOf: Partial<Record<ArtifactKind, Uint8Array>> = {};
  const add = (kind: ArtifactKind, findings: readonly Finding[]) => {
    const file = layout.files[kind] as string;
    for (const finding of findings) problems.push({ file, ...finding });
  };
  for (const [kind, name] of Object.entries(layout.files) as [ArtifactKind, string][]) {
    const read = await readBytes(path.join(artifactsDir, name), maxBytes[kind]);
    if (!(read instanceof Uint8Array)) {
      add(kind, [read]);
      continue;
    }
    bytesOf[kind] = read;
    if (kind === "icon") continue;
    const decoded = decodeText(read);
    add(kind, decoded.findings);
    if (decoded.value !== undefined) texts[kind] = decoded.value;
  }

  const result: { category?: string; label?: string; description?: string; spec?: Record<string, unknown> } = {};
  if (texts.category !== undefined) {
    const checked = checkCategory(texts.category);
    add("category", checked.findings);
    if (checked.value !== undefined) result.category = checked.value;
  }
  if (texts.label !== undefined) {
    const checked = checkLabel(texts.label);
    add("label", checked.findings);
    if (checked.value !== undefined) result.label = checked.value;
  }
  if (texts.description !== undefined) {
    const checked = checkDescription(texts.description);
    add("description", checked.findings);
    if (checked.value !== undefined) result.description = checked.value;
  }
  if (bytesOf.icon !== undefined) add("icon", checkSvg(bytesOf.icon));
  if (texts.connectionSpec !== undefined) {
    const checked = checkConnectionSpecText(texts.connectionSpec);
    add("connectionSpec", checked.findings);
    if (checked.spec !== undefined) {
      result.spec = checked.spec;
      add("connectionSpec", crossCheck(checked.spec, result));
    }
  }
  return { ...base, problems, ...result };
}
