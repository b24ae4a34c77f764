// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { membersSpec } from "../../../test/support/specs.ts";
import { restStorageToAepFlowSpec } from "../../specs/index.ts";
import { main } from "../main.ts";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "inlet-spec-lint-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  return { stream, text: () => text };
}

async function inlet(...args: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(["node", "inlet", ...args], { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let count = 0;
async function file(content: unknown): Promise<string> {
  count += 1;
  const path = join(dir, `spec-${count}.json`);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}

function broken(): Record<string, unknown> {
  const spec = JSON.parse(JSON.stringify(membersSpec())) as Record<string, unknown>;
  const attributes = (spec.sourceSpec as { attributes: Record<string, unknown> }).attributes;
  (attributes.urlParams as Record<string, unknown>).path = "/lists/${nope}";
  attributes.paginationParams = { type: "OFFSET", limitName: "count", limitValue: "many", offSetName: "offset" };
  return spec;
}

describe("inlet spec lint", () => {
  it("exits 0 and prints {valid: true, problems: []} for a valid spec with --json", async () => {
    const { code, stdout, stderr } = await inlet("spec", "lint", await file(membersSpec()), "--json");
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(JSON.parse(stdout)).toEqual({ valid: true, problems: [] });
  });

  it("exits 1 and lists every problem with its pointer (--json)", async () => {
    const { code, stdout } = await inlet("spec", "lint", await file(broken()), "--json");
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.valid).toBe(false);
    expect(report.problems.map((p: { pointer: string }) => p.pointer)).toEqual([
      "/sourceSpec/attributes/paginationParams/limitValue",
      "/sourceSpec/attributes/urlParams/path",
    ]);
  });

  it("prints one line per problem and a summary in the human form", async () => {
    const path = await file(broken());
    const { code, stdout } = await inlet("spec", "lint", path);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^error {2}\/sourceSpec\/attributes\/paginationParams\/limitValue {2}must be an integer/);
    expect(lines[1]).toMatch(
      /^error {2}\/sourceSpec\/attributes\/urlParams\/path {2}placeholder \$\{nope\} is not declared/,
    );
    expect(lines[2]).toBe(`${path}: 2 errors, 0 warnings; the connection spec is not valid`);
  });

  it("exits 0 with warnings only, and says so", async () => {
    const path = await file(membersSpec({ futureField: true }));
    const { code, stdout } = await inlet("spec", "lint", path);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^warning {2}\/futureField {2}"futureField" is not a field Inlet knows/);
    expect(stdout.trimEnd().endsWith(`${path}: valid connection spec (1 warning)`)).toBe(true);
  });

  it("recognises a flow spec (and --kind forces one)", async () => {
    const path = await file(restStorageToAepFlowSpec);
    const guessed = await inlet("spec", "lint", path);
    expect(guessed.code).toBe(0);
    expect(guessed.stdout).toBe(`${path}: valid flow spec\n`);
    const forced = await inlet("spec", "lint", path, "--kind", "connection", "--json");
    expect(forced.code).toBe(1);
  });

  it("exits 1 for JSON that is not an object", async () => {
    const { code, stdout } = await inlet("spec", "lint", await file("[1, 2]"), "--json");
    expect(code).toBe(1);
    expect(JSON.parse(stdout).problems[0].pointer).toBe("");
  });

  it("exits 2 naming the file and the position when the file is not JSON", async () => {
    const path = await file('{"name": "x",\n  "type": }');
    const { code, stdout, stderr } = await inlet("spec", "lint", path, "--json");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(path);
    expect(stderr).toMatch(/is not valid JSON at line 2, column 11 \(position 24\)/);
  });

  it("exits 2 when the file cannot be read", async () => {
    const missing = join(dir, "missing.json");
    const { code, stderr } = await inlet("spec", "lint", missing, "--json");
    expect(code).toBe(2);
    expect(stderr).toContain(`cannot read ${missing}: no such file`);
    const directory = await inlet("spec", "lint", dir);
    expect(directory.code).toBe(2);
  });

  it("exits 2 on a bad --kind", async () => {
    const { code, stderr } = await inlet("spec", "lint", await file(membersSpec()), "--kind", "target");
    expect(code).toBe(2);
    expect(stderr).toMatch(/--kind must be connection or flow/);
  });
});
