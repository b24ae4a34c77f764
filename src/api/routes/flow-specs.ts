import type { FastifyInstance } from "fastify";
import { FlowError } from "../../errors.ts";
import { flowSpecJsonSchema, lintFlowSpec, withoutServerFields } from "../../specs/index.ts";
import { globalScope, type MetadataStore } from "../../store/metadata-store.ts";
import { optionalIfMatch } from "../etag.ts";
import { authorship, presentSpec } from "../present.ts";
import { errorResponseSchema, idParamsSchema, ifMatchHeaderSchema } from "../schemas.ts";
import { adminThenLint, bodyLintedLater } from "./connection-specs.ts";
import { registerGlobalSpecReads } from "./global-spec-reads.ts";
import { notFound } from "./route-helpers.ts";

const kind = "flowSpecs";
const tags = ["Flow specs"];
const errors = { 400: errorResponseSchema, 404: errorResponseSchema, 412: errorResponseSchema };

/** The Adobe docs send `transformationSpec` on PUT and answer `transformationSpecs` (spec §2.4 [CONFLICT]). */
function normaliseFlowSpecBody(body: unknown): unknown {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return body;
  const { transformationSpec, ...rest } = body as Record<string, unknown>;
  if (transformationSpec !== undefined && rest.transformationSpecs === undefined) {
    return { ...rest, transformationSpecs: transformationSpec };
  }
  return body;
}

export function registerFlowSpecRoutes(app: FastifyInstance, store: MetadataStore): void {
  registerGlobalSpecReads(app, store, { kind, tag: tags[0]!, noun: "flow spec" });

  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>(
    "/flowSpecs/:id",
    {
      schema: {
        tags,
        summary: "Replace a flow spec (admin), e.g. to append a connection spec id",
        params: idParamsSchema,
        headers: ifMatchHeaderSchema,
        body: flowSpecJsonSchema,
        response: { 200: { type: "object", additionalProperties: true }, ...errors },
      },
      preValidation: async (request) => {
        request.body = normaliseFlowSpecBody(request.body) as Record<string, unknown>;
      },
      validatorCompiler: bodyLintedLater,
      preHandler: adminThenLint("update flow specs", lintFlowSpec, "flow spec"),
    },
    async (request) => {
      const { id } = request.params;
      if (request.body.id !== undefined && request.body.id !== id) {
        throw new FlowError(
          "invalidSpecId",
          `The body's id "${String(request.body.id)}" differs from the path's ${id}.`,
        );
      }
      const existing = await store.getResource(kind, globalScope, id);
      if (!existing) throw notFound(kind, id);
      const doc = { ...withoutServerFields(request.body), ...authorship(request.tenant, existing.doc) };
      const expectedEtag = optionalIfMatch(request.headers["if-match"]);
      const updated = await store.updateResource({ kind, scope: globalScope, id, doc, expectedEtag });
      return presentSpec(updated, request.tenant);
    },
  );
}
