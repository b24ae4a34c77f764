import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { Command } from "commander";
import { beforeAll, describe, expect, it } from "vitest";
import { ParquetDatasetSink } from "../../datasets/parquet/parquet-sink.ts";
import { exitCodes, UsageError } from "../context.ts";
import { registerDatasets } from "./datasets.ts";
import { registerQuery } from "./query.ts";

const dataDir = mkdtempSync(path.join(tmpdir(), "inlet-query-cli-"));
const v1 = { type: "object", properties: { id: { type: "integer" }, name: { type: "string" } } };
const v2 = { type: "object", properties: { ...v1.properties, tier: { type: "string" } } };

beforeAll(async () => {
  const sink = new ParquetDatasetSink({ dataDir });
  try {
    const first = await sink.beginBatch({ id: "users", batchId: "b1", schema: v1 });
    await first.write({ id: 1, name: "Ada" });
    await first.commit();
    // A later batch under an evolved schema: union_by_name lines the columns up, NULL where absent.
    const second = await sink.beginBatch({ id: "users", batchId: "b2", schema: v2 });
    await second.write({ id: 2, name: "Grace Hopper", tier: "gold" });
    await second.commit();
    await sink.registerDataset({ id: "empty", schema: v1 });
  } finally {
    await sink.close();
  }
});

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (c: Buffer) => {
    text += c.toString("utf8");
  });
  return { stream, text: () => text };
}

/** Only these two commands, as main.ts wires them (it maps UsageError to exit 2): the test does not depend on other commands' modules. */
async function inlet(...args: string[]) {
  const stdout = capture();
  const stderr = capture();
  let code: number = exitCodes.ok;
  const ctx = { stdout: stdout.stream, stderr: stderr.stream, setExitCode: (c: number) => (code = c) };
  const program = new Command("inlet").exitOverride();
  registerQuery(program, ctx);
  registerDatasets(program, ctx);
  try {
    await program.parseAsync(["node", "inlet", ...args, "--data-dir", dataDir]);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.stream.write(error.message);
    code = exitCodes.badInput;
  }
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("inlet query", () => {
  it("prints rows as JSON across batches with evolved columns", async () => {
    const result = await inlet("query", "SELECT id, name, tier FROM ds_users ORDER BY id", "--json");
    expect(result.code).toBe(exitCodes.ok);
    expect(JSON.parse(result.stdout)).toEqual([
      { id: 1, name: "Ada", tier: null },
      { id: 2, name: "Grace Hopper", tier: "gold" },
    ]);
  });

  it("prints an aligned table", async () => {
    const result = await inlet("query", "SELECT id, name FROM ds_users ORDER BY id");
    expect(result.stdout).toBe(
      ["id  name", "--  ------------", "1   Ada", "2   Grace Hopper", "(2 rows)", ""].join("\n"),
    );
  });

  it("gives a dataset with no batches an empty view", async () => {
    const result = await inlet("query", "SELECT count(*) AS n FROM ds_empty", "--json");
    expect(JSON.parse(result.stdout)).toEqual([{ n: 0 }]);
  });

  it("reports bad SQL as bad input", async () => {
    const result = await inlet("query", "SELECT nope FROM ds_missing");
    expect(result.code).toBe(exitCodes.badInput);
    expect(result.stderr).toContain("query failed");
  });
});

describe("inlet datasets preview", () => {
  it("prints the first rows up to --limit", async () => {
    const result = await inlet("datasets", "preview", "users", "--limit", "1");
    expect(result.code).toBe(exitCodes.ok);
    expect(result.stdout).toContain("(1 row)");
  });

  it("refuses an unknown dataset and a bad limit", async () => {
    expect((await inlet("datasets", "preview", "nobody")).stderr).toContain('no dataset "nobody"');
    expect((await inlet("datasets", "preview", "users", "--limit", "0")).code).toBe(exitCodes.badInput);
  });
});
