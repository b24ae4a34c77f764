import type { FastifyInstance } from "fastify";
import { type ExploreQuery, exploreConnection } from "../../connections/index.ts";
import { errorResponseSchema, idParamsSchema } from "../schemas.ts";
import { scopeOf } from "../tenant.ts";
import { connectionDeps } from "./connections.ts";
import type { RouteDependencies } from "./index.ts";

const querySchema = {
  type: "object",
  properties: {
    objectType: { type: "string", description: "rest (the only type of REST sources; the default)" },
    object: { type: "string", description: "json" },
    fileType: { type: "string", description: "json" },
    preview: { type: "string", description: "true" },
    sourceParams: {
      type: "string",
      description: "Base64 (standard or URL-safe, padded or not) of the source params JSON object; e30= for {}.",
    },
  },
} as const;

const errors = {
  400: errorResponseSchema,
  404: errorResponseSchema,
  500: errorResponseSchema,
  502: errorResponseSchema,
  504: errorResponseSchema,
};

/** GET /connections/{id}/explore (spec §5): a live preview of the first page. */
export function registerExploreRoutes(app: FastifyInstance, deps: RouteDependencies): void {
  app.get<{ Params: { id: string }; Querystring: ExploreQuery }>(
    "/connections/:id/explore",
    {
      schema: {
        tags: ["Connections"],
        summary: "Explore a base connection: preview records and their schema",
        params: idParamsSchema,
        querystring: querySchema,
        response: {
          200: {
            type: "object",
            properties: {
              format: { type: "string" },
              schema: { type: "object", additionalProperties: true },
              data: { type: "array", items: { type: "object", additionalProperties: true } },
            },
          },
          ...errors,
        },
      },
    },
    async (request) =>
      exploreConnection(connectionDeps(deps, request), scopeOf(request.tenant), request.params.id, request.query),
  );
}
