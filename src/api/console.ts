/**
 * The web console (web/, built by `npm run prepare` into web/dist) served at `/`. Static files are
 * registered one by one (no wildcard route), and the console's client-side routes answer
 * index.html, so nothing here can shadow the APIs (/data, /inlet), /docs, /openapi.json or
 * /healthz, and an unknown path still gets the Flow Service 404 envelope. When web/dist is
 * missing, `/` answers a short page saying how to build it.
 *
 * Every console response carries a strict Content-Security-Policy (scripts and styles from this
 * origin only, no inline script, images from this origin or data: URIs), nosniff and no-referrer.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from "fastify";

export const consoleDist = fileURLToPath(new URL("../../web/dist/", import.meta.url));

/** The console's client-side routes (web/src/routes.ts): each answers index.html. */
export const consoleRoutes = [
  "/sources",
  "/sources/:specId",
  "/dataflows",
  "/dataflows/:flowId",
  "/playground",
  "/signin",
] as const;

export const consoleSecurityHeaders: Readonly<Record<string, string>> = {
  "content-security-policy": [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};

const missingPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Inlet console not built</title></head>
<body><h1>The Inlet console is not built</h1>
<p>Run <code>npm run prepare</code> (it runs <code>vite build web</code>; <code>npm ci</code> does it too), then restart <code>inlet serve</code>.</p>
<p>The API is available: <a href="/docs">API reference</a>, <a href="/healthz">health</a>.</p>
</body></html>
`;

export interface ConsoleOptions {
  /** The built console; web/dist of this package by default. */
  readonly dist?: string;
}

/** Registers the console. Never throws for a missing build: `/` then explains how to build it. */
export async function registerConsole(app: FastifyInstance, options: ConsoleOptions = {}): Promise<void> {
  const dist = options.dist ?? consoleDist;
  const built = existsSync(`${dist}/index.html`);
  const plugin: FastifyPluginAsync = async (scope) => {
    scope.addHook("onSend", async (_request, reply, payload) => {
      reply.headers(consoleSecurityHeaders);
      return payload;
    });
    if (!built) {
      const answer = async (_request: unknown, reply: FastifyReply) =>
        reply.status(200).type("text/html; charset=utf-8").header("cache-control", "no-store").send(missingPage);
      scope.get("/", { schema: { hide: true } }, answer);
      for (const route of consoleRoutes) scope.get(route, { schema: { hide: true } }, answer);
      return;
    }
    const index = await readFile(`${dist}/index.html`);
    const sendIndex = async (_request: unknown, reply: FastifyReply) =>
      reply.status(200).type("text/html; charset=utf-8").header("cache-control", "no-cache").send(index);
    await scope.register(fastifyStatic, {
      root: dist,
      prefix: "/",
      wildcard: false,
      index: false,
      serve: true,
      cacheControl: false,
      schemaHide: true,
      setHeaders: (res, filePath) => {
        // Vite fingerprints everything under assets/: it never changes under the same name.
        res.setHeader(
          "cache-control",
          filePath.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
        );
      },
    });
    scope.get("/", { schema: { hide: true } }, sendIndex);
    for (const route of consoleRoutes) scope.get(route, { schema: { hide: true } }, sendIndex);
  };
  await app.register(plugin);
}
