/** The engine is a library of its own: it imports nothing from the server, the store, the CLI or anything else. */
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const engineDir = dirname(fileURLToPath(import.meta.url));
const allowedPackages = new Set(["undici", "jsonpath-rfc9535", "jsonpath-rfc9535/parser", "luxon"]);

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
    .map((e) => join(e.parentPath, e.name));
}

describe("src/engine boundary", () => {
  it("imports only node:, undici, jsonpath-rfc9535, luxon and its own files", async () => {
    const offending: string[] = [];
    for (const file of await sources(engineDir)) {
      const text = await readFile(file, "utf8");
      for (const [, specifier] of text.matchAll(/(?:import|export)\s[^'"]*?from\s+"([^"]+)"/g)) {
        const spec = specifier as string;
        if (spec.startsWith("node:") || allowedPackages.has(spec)) continue;
        const inside = spec.startsWith(".") && !relative(engineDir, resolve(dirname(file), spec)).startsWith("..");
        if (!inside) offending.push(`${relative(engineDir, file)} → ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
