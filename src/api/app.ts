import { randomUUID } from "node:crypto";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { InletConfig } from "../config.ts";
import { FlowError } from "../errors.ts";
import { parseJsonText } from "../specs/index.ts";
import { registerConsole } from "./console.ts";
import {
  ContentTypeError,
  contentTypeErrorBody,
  flowErrorBody,
  GatewayError,
  gatewayErrors,
} from "./error-envelope.ts";
import { loggableUrl } from "./loggable-url.ts";
import { type RouteDependencies, routeTable } from "./routes/index.ts";
import { authenticate, type Tenant } from "./tenant.ts";

export const flowServicePrefix = "/data/foundation/flowservice";
export const catalogPrefix = "/data/foundation/catalog";
export const conversionPrefix = "/data/foundation/conversion";
/** Inlet's own extensions (the console's spec playground), under the same authentication. */
export const inletPrefix = "/inlet";

declare module "fastify" {
  interface FastifyRequest {
    tenant: Tenant;
  }
}

export interface AppDependencies extends RouteDependencies {
  readonly config: InletConfig;
  /** Pino logging on by default; tests turn it off. */
  readonly logging?: boolean;
}

const requestIdPattern = /^[\w.:-]{1,128}$/;
const jsonTypes = ["application/json", "application/json-patch+json"];

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: deps.config.bodyLimitBytes,
    logger:
      deps.logging === false
        ? false
        : {
            level: deps.config.logLevel,
            // Request logs carry method, URL and request id only: never headers (credentials), and
            // never query values that can hold source params (explore's base64 `sourceParams`).
            serializers: {
              req: (request: { method: string; url: string; id: string }) => ({
                method: request.method,
                url: loggableUrl(request.url),
                id: request.id,
              }),
            },
          },
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && requestIdPattern.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
    rewriteUrl: (request) => withoutTrailingSlash(request.url ?? "/"),
  });

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  // preParsing runs after the scoped authentication hooks: a caller must be known first.
  app.addHook("preParsing", async (request) => assertBodyHasContentType(request));
  installJsonParser(app);
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      new FlowError("notFound", `No resource at ${request.method} ${request.url.split("?")[0]}.`),
      request,
      reply,
    ),
  );

  await app.register(swagger, {
    openapi: {
      info: {
        title: "Inlet Flow Service",
        version: "0.1.0",
        description: "A wire-compatible Flow Service for Self-Serve Sources (Batch SDK).",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer" },
          apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
          org: { type: "apiKey", in: "header", name: "x-gw-ims-org-id" },
        },
      },
      security: [{ bearer: [], apiKey: [], org: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));

  const prefixes = {
    flowService: flowServicePrefix,
    catalog: catalogPrefix,
    conversion: conversionPrefix,
    inlet: inletPrefix,
  } as const;
  for (const [api, prefix] of Object.entries(prefixes) as [keyof typeof prefixes, string][]) {
    await app.register(
      (scoped, _options, done) => {
        scoped.decorateRequest("tenant", undefined as unknown as Tenant);
        // onRequest: callers are identified before their body is parsed or validated, so an
        // unauthenticated or unauthorised request learns nothing about the body's problems.
        scoped.addHook("onRequest", async (request) => {
          request.tenant = await authenticate(request, deps.store);
        });
        for (const register of routeTable[api]) register(scoped, deps);
        done();
      },
      { prefix },
    );
  }
  await registerConsole(app);
  return app;
}

/**
 * Adobe's Swagger spells PATCH and DELETE on a base connection `/connections/{id}/`, so a client
 * generated from it sends the trailing slash: the API prefixes answer with or without one.
 */
export function withoutTrailingSlash(url: string): string {
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  if (!path.startsWith("/data/foundation/") || !path.endsWith("/")) return url;
  return path.replace(/\/+$/, "") + (query === -1 ? "" : url.slice(query));
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers["content-length"];
  return (length !== undefined && length !== "0") || request.headers["transfer-encoding"] !== undefined;
}

function assertBodyHasContentType(request: FastifyRequest): void {
  if (!["POST", "PUT", "PATCH"].includes(request.method) || !hasBody(request)) return;
  const type = request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
  if (type === undefined || !jsonTypes.includes(type))
    throw new ContentTypeError("A valid content-type must be specified");
}

/** JSON.parse with the position of a syntax error turned into line and column for people. */
function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(jsonTypes, { parseAs: "string" }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === "") {
      done(null, undefined);
      return;
    }
    const parsed = parseJsonText(text);
    if (parsed.ok) {
      const problem = bodyProblem(parsed.value);
      if (problem === undefined) done(null, parsed.value);
      else done(new FlowError("badRequest", `The request body ${problem}.`), undefined);
      return;
    }
    const { position, line, column, message } = parsed;
    done(
      new FlowError(
        "badRequest",
        `Malformed JSON in request body at line ${line}, column ${column} (position ${position}): ${message}`,
        { position, line, column },
      ),
      undefined,
    );
  });
}

/** Deeper bodies are refused: no document of these APIs nests near this, and storing one (JSON.stringify) overflows the stack at a few thousand levels. */
export const maxBodyDepth = 512;

/**
 * What makes a parsed body unacceptable whatever the route, found without recursion:
 * - nesting deeper than `maxBodyDepth` (a 500 later otherwise);
 * - a `__proto__` key, or a `constructor` key holding `prototype`, anywhere. Fastify's own JSON
 *   parser (secure-json-parse) refuses these, and replacing it must not drop that defence: no such
 *   key means anything here, and code that merges a body into another object would set a
 *   prototype with it.
 */
function bodyProblem(value: unknown): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== "object") continue;
    if (depth >= maxBodyDepth) return `nests deeper than ${maxBodyDepth} levels`;
    if (Object.hasOwn(node, "__proto__")) return 'holds the forbidden key "__proto__"';
    const record = node as Record<string, unknown>;
    const ctor = Object.hasOwn(node, "constructor") ? record.constructor : undefined;
    if (ctor !== null && typeof ctor === "object" && Object.hasOwn(ctor, "prototype"))
      return 'holds the forbidden key "constructor" with "prototype" in it';
    for (const child of Object.values(record)) stack.push([child, depth + 1]);
  }
  return undefined;
}

function toFlowError(error: FastifyError, bodyLimit: number | undefined): FlowError | undefined {
  if (error instanceof FlowError) return error;
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    // Fastify's message names no number ("Request body is too large"): the route knows the limit.
    return new FlowError("payloadTooLarge", `The request body exceeds the limit of ${bodyLimit ?? "?"} bytes.`);
  }
  if (error.code === "FST_ERR_CTP_EMPTY_JSON_BODY") return new FlowError("emptyBody", "The request body is empty.");
  if (error.validation) {
    const problems = error.validation.map((issue) => ({
      pointer: issue.instancePath || "/",
      message: issue.message ?? "is not valid",
      severity: "error" as const,
    }));
    const where = error.validationContext ?? "body";
    return new FlowError(
      "validationFailed",
      `The request ${where} is not valid: ${problems.map((p) => `${p.pointer} ${p.message}`).join("; ")}`,
      {
        problems,
      },
    );
  }
  return undefined;
}

function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof GatewayError) {
    const { status, body } = gatewayErrors[error.kind];
    return sendJson(reply, status, body);
  }
  const fastifyError = error as FastifyError;
  if (error instanceof ContentTypeError || fastifyError.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return sendJson(reply, 400, contentTypeErrorBody);
  }
  let flowError = toFlowError(fastifyError, request.routeOptions?.bodyLimit);
  if (!flowError && typeof fastifyError.statusCode === "number" && fastifyError.statusCode < 500) {
    flowError = new FlowError("badRequest", fastifyError.message);
  }
  if (!flowError) {
    request.log.error({ err: error }, "unhandled error");
    flowError = new FlowError(
      "internal",
      `An internal error occurred; quote request id ${request.id} when reporting it.`,
    );
  }
  return sendJson(reply, flowError.status, flowErrorBody(flowError, request.id));
}

/**
 * Error bodies bypass the route's response schemas: those describe the Flow Service envelope, and
 * serialising a gateway or content-type body through them would silently drop its fields.
 */
function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).type("application/json").serializer(JSON.stringify).send(body);
}
