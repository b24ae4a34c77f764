import { rm } from "node:fs/promises";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../cli/main.ts";
import { startDemoApi } from "./demo-api.ts";
import { makeDemoMember } from "./members.ts";
import { demoConnection, loadDemoSpec } from "./run-demo.ts";

const dataDirs: string[] = [];
afterAll(async () => {
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (c: Buffer) => {
    text += c.toString("utf8");
  });
  return { stream, text: () => text };
}

describe("inlet demo", () => {
  it("runs to completion and prints the dataset preview", { timeout: 120_000 }, async () => {
    const stdout = capture();
    const stderr = capture();
    const code = await main(["node", "inlet", "demo"], { stdout: stdout.stream, stderr: stderr.stream });
    const out = stdout.text();
    const dataDir = /data dir (\S+)\)/.exec(out)?.[1];
    if (dataDir) dataDirs.push(dataDir);
    expect(code, `${out}\n${stderr.text()}`).toBe(0);
    expect(out).toContain("PASSED: every step passed");
    expect(out).toMatch(/Dataset [0-9a-f]{24}: 250 rows/);
    expect(out).toContain("email_address");
    expect(out).toContain("(5 rows)");
    expect(out).toMatch(/API docs: http:\/\/127\.0\.0\.1:\d+\/docs/);
    expect(out).toContain("inlet query --data-dir");
    // Nothing was left serving: the demo stopped its server.
    const url = /server:\s+(http:\/\/\S+)/.exec(out)?.[1] as string;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe("the demo API", () => {
  it("pages members by offset, honours the last-changed window and requires the key", async () => {
    const api = await startDemoApi({ apiKey: "k-123456", headerName: "Authorization", members: 30 });
    try {
      const get = (query: string, key = "Bearer k-123456") =>
        fetch(`${api.url}/3.0/lists/${api.listId}/members?${query}`, { headers: { authorization: key } });
      const first = (await (await get("count=20&offset=0")).json()) as Record<string, unknown>;
      expect(first.total_items).toBe(30);
      expect(first.list_id).toBe(api.listId);
      expect((first.members as unknown[]).length).toBe(20);
      const second = (await (await get("count=20&offset=20")).json()) as { members: Array<{ id: string }> };
      expect(second.members.map((m) => m.id)).toEqual(
        [20, 21, 22, 23, 24, 25, 26, 27, 28, 29].map((i) => makeDemoMember(i, api.listId).id),
      );
      const since = makeDemoMember(9, api.listId).last_changed;
      const before = makeDemoMember(15, api.listId).last_changed;
      const window = (await (
        await get(
          `count=100&since_last_changed=${encodeURIComponent(since)}&before_last_changed=${encodeURIComponent(before)}`,
        )
      ).json()) as { total_items: number; members: Array<{ web_id: number }> };
      expect(window.total_items).toBe(5);
      expect(window.members.map((m) => m.web_id)).toEqual([100_010, 100_011, 100_012, 100_013, 100_014]);
      expect((await get("count=10", "Bearer wrong")).status).toBe(401);
      expect((await get("count=10", "k-123456")).status).toBe(200);
      expect(
        (await fetch(`${api.url}/3.0/lists/nope/members`, { headers: { authorization: "k-123456" } })).status,
      ).toBe(404);
    } finally {
      await api.close();
    }
  });

  it("matches the example spec: its API key entry, header and host placeholder", async () => {
    const connection = demoConnection(await loadDemoSpec());
    expect(connection.authSpecName).toBe("API Key Authentication");
    expect(connection.headerName).toBe("Authorization");
  });
});
