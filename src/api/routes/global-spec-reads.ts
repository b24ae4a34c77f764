import type { FastifyInstance } from "fastify";
import { globalScope, type MetadataStore } from "../../store/metadata-store.ts";
import { listResponse, oneItem } from "../listing/list-response.ts";
import { presentSpec } from "../present.ts";
import { errorResponseSchema, idParamsSchema, listEnvelopeSchema, listQuerySchema } from "../schemas.ts";
import { notFound } from "./route-helpers.ts";

/** GET list and GET by id of a global spec kind (connection specs, flow specs): any token may read. */
export function registerGlobalSpecReads(
  app: FastifyInstance,
  store: MetadataStore,
  options: { readonly kind: "connectionSpecs" | "flowSpecs"; readonly tag: string; readonly noun: string },
): void {
  const { kind, noun } = options;
  const tags = [options.tag];
  const errors = { 400: errorResponseSchema, 404: errorResponseSchema };
  app.get(
    `/${kind}`,
    {
      schema: {
        tags,
        summary: `List ${noun}s`,
        querystring: listQuerySchema,
        response: { 200: listEnvelopeSchema, ...errors },
      },
    },
    async (request) => {
      const specs = await store.listResources(kind, globalScope);
      return listResponse(
        request,
        specs.map((spec) => presentSpec(spec, request.tenant)),
      );
    },
  );
  app.get<{ Params: { id: string } }>(
    `/${kind}/:id`,
    {
      schema: {
        tags,
        summary: `Get a ${noun}`,
        params: idParamsSchema,
        response: { 200: listEnvelopeSchema, ...errors },
      },
    },
    async (request) => {
      const spec = await store.getResource(kind, globalScope, request.params.id);
      if (!spec) throw notFound(kind, request.params.id);
      return oneItem(presentSpec(spec, request.tenant));
    },
  );
}
