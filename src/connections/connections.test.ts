import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EngineError } from "../engine/index.ts";
import { FlowError } from "../errors.ts";
import { AesGcmSecretBox } from "../secrets/index.ts";
import type { MetadataStore, StoredResource, UpdateResourceInput } from "../store/metadata-store.ts";
import { persistRotatedCredentials } from "./credentials.ts";
import type { ConnectionLogger } from "./logger.ts";
import { schemaProblems } from "./schema-check.ts";
import { maskParams, openParams, restoreMasked, sealParams, secretMask } from "./secret-fields.ts";
import { decodeSourceParams } from "./source-params.ts";
import { upstreamError } from "./upstream-errors.ts";

const box = new AesGcmSecretBox(randomBytes(32));

describe("decodeSourceParams", () => {
  const value = { listId: "list~~~???" };
  const padded = Buffer.from(JSON.stringify(value)).toString("base64");

  it("accepts padded, unpadded, URL-safe, %3D-encoded and space-for-plus spellings", () => {
    for (const text of [
      padded,
      padded.replace(/=+$/, ""),
      Buffer.from(JSON.stringify(value)).toString("base64url"),
      padded.replace(/=/g, "%3D"),
      padded.replace(/=/g, "%253D"),
      padded.replace(/\+/g, " "),
    ]) {
      expect(decodeSourceParams(text), text).toEqual(value);
    }
    expect(decodeSourceParams("e30")).toEqual({});
    expect(decodeSourceParams(undefined)).toEqual({});
  });

  it("refuses what is not base64 of a JSON object, naming the parameter", () => {
    for (const text of [
      "!!",
      "e30=e30=",
      "a",
      Buffer.from("[1]").toString("base64"),
      Buffer.from("{x").toString("base64"),
      "%E0%A4%A",
    ]) {
      const error = (() => {
        try {
          decodeSourceParams(text);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error, text).toBeInstanceOf(FlowError);
      expect((error as FlowError).kind).toBe("badQueryParam");
      expect((error as FlowError).message).toContain("sourceParams");
    }
  });
});

describe("secret fields", () => {
  const schema = {
    properties: {
      password: { type: "string", format: "password" },
      nested: { type: "object", properties: { key: { type: "string", format: "password" } } },
      user: { type: "string" },
    },
  };

  it("seals format:password fields and well-known secret names, opens and masks by recognition", () => {
    const id = randomUUID();
    const params = { password: "p@ss", nested: { key: "k-1" }, user: "ana", clientSecret: "undeclared-secret" };
    const sealed = sealParams(params, schema, id, box);
    expect(sealed.user).toBe("ana");
    for (const value of [sealed.password, (sealed.nested as { key: string }).key, sealed.clientSecret]) {
      expect(value).toMatch(/^v1\./);
    }
    expect(openParams(sealed, id, box)).toEqual(params);
    expect(maskParams(sealed)).toEqual({
      password: secretMask,
      nested: { key: secretMask },
      user: "ana",
      clientSecret: secretMask,
    });
    expect(() => openParams(sealed, randomUUID(), box)).toThrow();
  });

  it("restores masked values from the stored ones only where a secret is stored", () => {
    const id = randomUUID();
    const stored = sealParams({ password: "p@ss", nested: { key: "k-1" }, user: "ana" }, schema, id, box);
    const restored = restoreMasked({ password: secretMask, nested: { key: secretMask }, user: secretMask }, stored);
    expect(openParams(restored, id, box)).toEqual({ password: "p@ss", nested: { key: "k-1" }, user: secretMask });
  });
});

describe("schemaProblems", () => {
  it("reports every problem with a pointer and never the value", () => {
    const schema = {
      $schema: "http: //json-schema.org/draft-07/schema#",
      type: "object",
      properties: { a: { type: "string" }, b: { enum: ["x", "y"] }, c: { type: "string", format: "date" } },
      required: ["a", "d"],
      additionalProperties: false,
    };
    const problems = schemaProblems({ a: 1, b: "secret-value", c: "not a date", e: true }, schema, "/params", "test");
    expect(problems.map((p) => p.pointer).sort()).toEqual(["/params/a", "/params/b", "/params/d", "/params/e"]);
    expect(JSON.stringify(problems)).not.toContain("secret-value");
  });
});

describe("upstreamError", () => {
  it("maps engine errors to Flow errors and scrubs secrets", () => {
    const secret = "s3cr3t-value";
    const rejected = upstreamError(
      new EngineError("upstream", `GET http://x/?k=${secret} answered 404`, {
        status: 404,
        url: `http://x/?k=${secret}`,
      }),
      "Explore",
      [secret],
    );
    expect([rejected.kind, rejected.status, rejected.details.upstreamStatus]).toEqual(["upstreamRejected", 400, 404]);
    expect(JSON.stringify({ m: rejected.message, d: rejected.details })).not.toContain(secret);
    expect(upstreamError(new EngineError("upstream", "x", { status: 503 }), "E", []).status).toBe(502);
    expect(upstreamError(new EngineError("upstream", "x", { status: 429 }), "E", []).status).toBe(502);
    expect(upstreamError(new EngineError("timeout", "x"), "E", []).status).toBe(504);
    expect(upstreamError(new EngineError("params", "x"), "E", []).kind).toBe("validationFailed");
    expect(upstreamError(new EngineError("auth", "no refresh token"), "E", []).status).toBe(400);
  });
});

describe("persistRotatedCredentials", () => {
  const scope = { orgId: "ORG@AdobeOrg", sandboxName: "prod" };

  function fakeStore(update: (input: UpdateResourceInput, call: number) => void) {
    const id = randomUUID();
    let resource: StoredResource = {
      kind: "connections",
      id,
      scope,
      etag: "e0",
      doc: {
        name: "c",
        auth: { specName: "OAuth2 Refresh Code", params: { host: "h", refreshToken: box.seal("rt-0", id) } },
      },
      createdAt: 1,
      updatedAt: 1,
      parentId: null,
    };
    let calls = 0;
    const store = {
      getResource: async () => resource,
      updateResource: async (input: UpdateResourceInput) => {
        calls += 1;
        update(input, calls);
        resource = { ...resource, doc: input.doc, etag: `e${calls}` };
        return resource;
      },
    } as unknown as MetadataStore;
    return { id, store, current: () => resource, calls: () => calls };
  }

  function capture(): ConnectionLogger & { lines: string[] } {
    const lines: string[] = [];
    return {
      lines,
      error: (details, message) => lines.push(JSON.stringify({ level: "error", details, message })),
      warn: (details, message) => lines.push(JSON.stringify({ level: "warn", details, message })),
    };
  }

  const rotated = { accessToken: "at-new", refreshToken: "rt-new", expirationDate: "2030-01-01T00:00:00.000Z" };

  it("merges the sealed tokens with compare-and-set, retrying when the etag moved", async () => {
    const fake = fakeStore((input, call) => {
      expect(input.expectedEtag).toBe("e0");
      if (call < 3) throw new FlowError("versionMismatch", "moved");
    });
    await persistRotatedCredentials({ store: fake.store, secrets: box }, scope, fake.id, rotated);
    expect(fake.calls()).toBe(3);
    const params = (fake.current().doc.auth as { params: Record<string, string> }).params;
    expect(params.host).toBe("h");
    expect(params.expirationDate).toBe(rotated.expirationDate);
    expect(JSON.stringify(params)).not.toContain("rt-new");
    expect(openParams(params, fake.id, box)).toMatchObject({ accessToken: "at-new", refreshToken: "rt-new" });
  });

  it("logs and throws when it cannot store them, never logging a token", async () => {
    const fake = fakeStore(() => {
      throw new Error("database is locked");
    });
    const logger = capture();
    const error = await persistRotatedCredentials(
      { store: fake.store, secrets: box, logger },
      scope,
      fake.id,
      rotated,
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FlowError);
    expect((error as FlowError).kind).toBe("internal");
    expect((error as FlowError).message).toContain("database is locked");
    expect(fake.calls()).toBe(5);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toContain(fake.id);
    for (const token of ["at-new", "rt-new"]) {
      expect(logger.lines[0]).not.toContain(token);
      expect((error as FlowError).message).not.toContain(token);
    }
  });
});
