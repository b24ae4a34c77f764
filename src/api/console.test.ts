import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleRoutes, registerConsole } from "./console.ts";

const indexHtml = '<!doctype html><html><head><script type="module" src="/assets/app-1.js"></script></head></html>';

async function appWith(dist: string): Promise<FastifyInstance> {
  const app = Fastify();
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/data/foundation/flowservice/flows", async () => ({ items: [] }));
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ title: "Resource not found" }));
  await registerConsole(app, { dist });
  await app.ready();
  return app;
}

describe("the console at /", () => {
  let dir: string;
  let built: FastifyInstance;
  let missing: FastifyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "inlet-console-"));
    await mkdir(path.join(dir, "dist", "assets"), { recursive: true });
    await writeFile(path.join(dir, "dist", "index.html"), indexHtml);
    await writeFile(path.join(dir, "dist", "assets", "app-1.js"), "console.log(1)");
    built = await appWith(path.join(dir, "dist"));
    missing = await appWith(path.join(dir, "nothing-here"));
  });

  afterAll(async () => {
    await built?.close();
    await missing?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves index.html at / and at every client-side route, with the security headers", async () => {
    for (const url of ["/", "/sources", "/sources/abc", "/dataflows", "/dataflows/x-1", "/playground"]) {
      const response = await built.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body).toBe(indexHtml);
      expect(response.headers["content-type"]).toMatch(/^text\/html/);
      const csp = String(response.headers["content-security-policy"]);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("img-src 'self' data:");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).not.toContain("unsafe-eval");
      expect(response.headers["x-content-type-options"]).toBe("nosniff");
      expect(response.headers["referrer-policy"]).toBe("no-referrer");
    }
    expect(consoleRoutes).toContain("/playground");
  });

  it("serves the built assets, fingerprinted ones cached for good", async () => {
    const response = await built.inject({ url: "/assets/app-1.js" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/javascript/);
    expect(response.headers["cache-control"]).toContain("immutable");
    expect(response.headers["content-security-policy"]).toBeDefined();
  });

  it("never shadows the API, /healthz or the not-found answer", async () => {
    expect((await built.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    const api = await built.inject({ url: "/data/foundation/flowservice/flows" });
    expect(api.json()).toEqual({ items: [] });
    expect(api.headers["content-security-policy"]).toBeUndefined();
    for (const url of ["/nope", "/data/foundation/flowservice/unknown", "/assets/missing.js", "/sources/a/b"]) {
      const response = await built.inject({ url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toEqual({ title: "Resource not found" });
    }
  });

  it("explains how to build the console when web/dist is missing, and does not crash", async () => {
    for (const url of ["/", "/dataflows"]) {
      const response = await missing.inject({ url });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain("npm run prepare");
      expect(response.headers["content-security-policy"]).toContain("default-src 'self'");
    }
    expect((await missing.inject({ url: "/healthz" })).statusCode).toBe(200);
  });
});
