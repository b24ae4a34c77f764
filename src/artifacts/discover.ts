/**
 * Finds the sources under a path (spec §8): a `Sources/` folder holding several
 * `{source}/Artifacts/`, a single `{source}/` folder, or an `Artifacts/` folder itself.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

export interface SourceFolder {
  readonly source: string;
  /** The folder holding the five files (`…/{source}/Artifacts`, or its misspelt twin). */
  readonly artifactsDir: string;
  /** The Artifacts folder's actual name when it is not exactly `Artifacts`. */
  readonly artifactsName?: string;
  /** True when `{source}/` has no Artifacts folder at all. */
  readonly missing?: boolean;
}

/** The path itself is unusable (exit 2). */
export class ArtifactsPathError extends Error {
  override readonly name = "ArtifactsPathError";
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules")
    .map((e) => e.name)
    .sort();
}

async function artifactsOf(dir: string): Promise<SourceFolder | undefined> {
  const source = path.basename(dir);
  const exact = path.join(dir, "Artifacts");
  if (await isDirectory(exact)) return { source, artifactsDir: exact };
  const twin = (await subfolders(dir)).find((name) => name.toLowerCase() === "artifacts");
  if (twin) return { source, artifactsDir: path.join(dir, twin), artifactsName: twin };
  return undefined;
}

export async function discoverSources(input: string): Promise<SourceFolder[]> {
  const root = path.resolve(input);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(root);
  } catch {
    throw new ArtifactsPathError(`${input} does not exist`);
  }
  if (!info.isDirectory()) throw new ArtifactsPathError(`${input} is not a folder`);

  if (path.basename(root).toLowerCase() === "artifacts") {
    const name = path.basename(root);
    return [
      {
        source: path.basename(path.dirname(root)),
        artifactsDir: root,
        ...(name === "Artifacts" ? {} : { artifactsName: name }),
      },
    ];
  }
  const single = await artifactsOf(root);
  if (single) return [single];

  const found: SourceFolder[] = [];
  for (const name of await subfolders(root)) {
    const dir = path.join(root, name);
    found.push((await artifactsOf(dir)) ?? { source: name, artifactsDir: path.join(dir, "Artifacts"), missing: true });
  }
  if (!found.some((folder) => !folder.missing)) {
    throw new ArtifactsPathError(
      `${input} holds no {source}/Artifacts/ folder; pass a Sources/ folder, a {source}/ folder or an Artifacts/ folder`,
    );
  }
  return found;
}
