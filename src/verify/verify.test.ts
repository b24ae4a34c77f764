import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { findAuthSpec } from "../engine/index.ts";
import { planRowSchema, relax } from "./dataset-schema.ts";
import { createVerifyProgress } from "./progress.ts";
import { runOutcome } from "./run-verify.ts";
import { createScrubber, maskParams, passwordProperties, secretValues } from "./secrets.ts";

describe("planRowSchema", () => {
  it("keeps the record's top-level properties, nested ones included, made lenient", () => {
    const plan = planRowSchema({
      schema: {
        type: "object",
        properties: {
          member: {
            type: "object",
            properties: {
              id: { type: "string" },
              web_id: { type: "integer", minimum: -9007199254740992, maximum: 9007199254740991 },
              tags: { type: "array", items: { type: "object", properties: { name: { type: "string" } } } },
              ip_opt: { type: "null" },
            },
            required: ["id"],
          },
          "a.b": { type: "string" },
        },
      },
      data: [{ member: { id: "x" } }],
    });
    expect(plan.fields).toEqual(["member"]);
    expect(plan.skipped).toEqual(["a.b"]);
    expect(plan.schema).toEqual({
      type: "object",
      properties: {
        member: {
          type: ["object", "null"],
          properties: {
            id: { type: ["string", "null"] },
            web_id: { type: ["integer", "null"], minimum: -9007199254740992, maximum: 9007199254740991 },
            tags: {
              type: ["array", "null"],
              items: { type: ["object", "null"], properties: { name: { type: ["string", "null"] } } },
            },
            ip_opt: {},
          },
        },
      },
    });
  });

  it("infers the schema from the data when explore sends none", () => {
    const plan = planRowSchema({
      data: [
        { id: 1, name: "a", tags: ["x"] },
        { id: 2.5, name: null },
      ],
    });
    expect(plan.fields).toEqual(["id", "name", "tags"]);
    expect(plan.schema.properties).toEqual({
      id: { type: ["number", "null"] },
      name: { type: ["string", "null"] },
      tags: { type: ["array", "null"], items: { type: ["string", "null"] } },
    });
  });

  it("relax accepts anything for an untyped value", () => {
    expect(relax(undefined)).toEqual({});
    expect(relax({ type: ["string", "integer", "null"] })).toEqual({ type: ["string", "integer", "null"] });
  });
});

describe("secrets", () => {
  const spec = {
    authSpec: [
      {
        name: "Basic Authentication",
        type: "BasicAuthentication",
        spec: { properties: { password: { format: "password" } } },
      },
      {
        name: "API Key Authentication",
        type: "KeyBased",
        spec: { properties: { host: {}, authKey1: { format: "password" } } },
      },
    ],
  };

  it("finds an authSpec entry by name, case, type or normalised form", () => {
    expect(findAuthSpec(spec, "API Key Authentication")?.type).toBe("KeyBased");
    expect(findAuthSpec(spec, "api key authentication")?.type).toBe("KeyBased");
    expect(findAuthSpec(spec, "keybased")?.type).toBe("KeyBased");
    expect(findAuthSpec(spec, "BasicAuthentication")?.type).toBe("BasicAuthentication");
    expect(findAuthSpec(spec, "OAuth2")).toBeUndefined();
  });

  it("masks password-format params and secret-sounding names, and scrubs their values from text", () => {
    const passwords = passwordProperties(findAuthSpec(spec, "API Key Authentication"));
    const auth = { host: "http://h", authKey1: "Bearer abc123", nested: { clientSecret: "s3cr3t!" }, pin: "zz" };
    expect(maskParams(auth, passwords)).toEqual({
      host: "http://h",
      authKey1: "***",
      nested: { clientSecret: "***" },
      pin: "zz",
    });
    const values = secretValues(auth, passwords);
    expect(values.sort()).toEqual(["Bearer abc123", "s3cr3t!"]);
    const scrub = createScrubber([...values, "tok_1234567"]);
    expect(scrub("sent Bearer abc123 and s3cr3t%21 and tok_1234567 to http://h")).toBe(
      "sent *** and *** and *** to http://h",
    );
  });
});

describe("runOutcome", () => {
  it("reads status, counts, duration, the engine's stop reason and the batch id from a run", () => {
    const outcome = runOutcome({
      id: "r1",
      metrics: {
        durationSummary: { startedAtUTC: 1000, completedAtUTC: 3500 },
        recordSummary: { inputRecordCount: 10, outputRecordCount: 9, failedRecordCount: 1 },
        statusSummary: { status: "success", errors: [] },
        extensions: { stopReason: "short-page" },
      },
      activities: [
        {
          id: "promotionActivity",
          targetInfo: [{ id: "t", type: "TargetConnection", reference: { type: "Batch", ids: ["01ABC"] } }],
        },
      ],
    });
    expect(outcome).toMatchObject({
      id: "r1",
      status: "success",
      recordsRead: 10,
      recordsWritten: 9,
      recordsFailed: 1,
      stopReason: "short-page",
      batchIds: ["01ABC"],
      durationMs: 2500,
    });
  });
});

describe("createVerifyProgress", () => {
  function stream(isTTY: boolean) {
    let text = "";
    const s = new PassThrough() as PassThrough & { isTTY?: boolean };
    s.isTTY = isTTY;
    s.on("data", (c: Buffer) => {
      text += c.toString("utf8");
    });
    return { s, text: () => text };
  }
  const step = { name: "explore", status: "ok" as const, ms: 12, detail: "3 record(s) with key abcd1234" };

  it("prints plain lines off a TTY, one per step and per run status, scrubbed", async () => {
    const { s, text } = stream(false);
    const progress = createVerifyProgress(s, (t) => t.replaceAll("abcd1234", "***"));
    progress.onEvent({ type: "step-start", name: "explore", index: 4, total: 17 });
    progress.onEvent({ type: "step-end", step, index: 4, total: 17 });
    progress.onEvent({ type: "run-poll", status: "inProgress", records: 10, elapsedMs: 500 });
    progress.onEvent({ type: "run-poll", status: "inProgress", records: 20, elapsedMs: 900 });
    progress.onEvent({ type: "run-poll", status: "success", records: 30, elapsedMs: 1500 });
    progress.stop();
    await new Promise((r) => setImmediate(r));
    expect(text()).toBe(
      "verify: [4/17] explore: ok (12 ms) 3 record(s) with key ***\n" +
        "verify: run inProgress after 500 ms, 10 records written\n" +
        "verify: run success after 1.5 s, 30 records written\n",
    );
  });

  it("redraws one live line on a TTY and clears it at the end", async () => {
    const { s, text } = stream(true);
    const progress = createVerifyProgress(s);
    progress.onEvent({ type: "step-start", name: "run", index: 10, total: 17 });
    progress.onEvent({ type: "run-poll", status: "inProgress", records: 5, elapsedMs: 100 });
    await new Promise((r) => setTimeout(r, 250));
    progress.onEvent({ type: "step-end", step: { ...step, name: "run" }, index: 10, total: 17 });
    progress.stop();
    await new Promise((r) => setImmediate(r));
    expect(text()).toContain("\r\x1b[2Kverify [10/17] run");
    expect(text()).toContain("run: inProgress, 5 records written");
    expect(text().endsWith("\r\x1b[2K")).toBe(true);
    expect(text()).not.toContain("\n");
  });
});
