import { randomUUID } from "node:crypto";
import { Ajv } from "ajv";
import type { FastifyInstance, FastifyRequest, FastifySchemaCompiler } from "fastify";
import { FlowError, type Problem } from "../../errors.ts";
import {
  canonicalConnectionSpec,
  connectionSpecJsonSchema,
  dataLakeConnectionSpecId,
  lintConnectionSpec,
  withoutServerFields,
} from "../../specs/index.ts";
import { globalScope, type MetadataStore } from "../../store/metadata-store.ts";
import { optionalIfMatch } from "../etag.ts";
import { authorship, presentSpec } from "../present.ts";
import { errorResponseSchema, idParamsSchema, ifMatchHeaderSchema } from "../schemas.ts";
import { requireAdmin } from "../tenant.ts";
import { registerGlobalSpecReads } from "./global-spec-reads.ts";
import { lintValidator, notFound } from "./route-helpers.ts";

const kind = "connectionSpecs";
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const tags = ["Connection specs"];
const errors = { 400: errorResponseSchema, 404: errorResponseSchema, 412: errorResponseSchema };

const partsAjv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });

/**
 * The validator of the spec routes: params and headers are checked with their schemas as usual,
 * but the body passes through here and is linted by `adminThenLint` in preHandler, which runs after
 * authentication. So a user token hears 1426 before any problem of the body it sent.
 */
export const bodyLintedLater: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  httpPart === "body" ? (data: unknown) => ({ value: data }) : partsAjv.compile(schema as object);

/** preHandler of spec authoring: admin only (1426), then the linter's report (1400 with every problem). */
export function adminThenLint(
  action: string,
  lint: (doc: unknown) => { readonly valid: boolean; readonly problems: readonly Problem[] },
  what: string,
): (request: FastifyRequest) => Promise<void> {
  const route = { schema: {}, method: "POST", url: "", httpPart: "body" } as Parameters<
    FastifySchemaCompiler<unknown>
  >[0];
  const check = lintValidator(lint, what)(route);
  return async (request) => {
    requireAdmin(request.tenant, action);
    const result = check(request.body);
    if (typeof result === "object" && result !== null && "error" in result && result.error) {
      throw result.error instanceof Error
        ? result.error
        : new FlowError("validationFailed", `The ${what} is not valid.`);
    }
  };
}

/** Connection specs are global templates (spec §1.2); only admin tokens may author them. */
export function registerConnectionSpecRoutes(app: FastifyInstance, store: MetadataStore): void {
  registerGlobalSpecReads(app, store, { kind, tag: tags[0]!, noun: "connection spec" });

  app.post<{ Body: Record<string, unknown> }>(
    "/connectionSpecs",
    {
      schema: {
        tags,
        summary: "Create a connection spec (admin)",
        body: connectionSpecJsonSchema,
        response: { 201: { type: "object", additionalProperties: true }, ...errors },
      },
      validatorCompiler: bodyLintedLater,
      preHandler: adminThenLint("create connection specs", lintConnectionSpec, "connection spec"),
    },
    async (request, reply) => {
      const id = typeof request.body.id === "string" ? request.body.id : randomUUID();
      if (!uuidPattern.test(id)) throw new FlowError("invalidSpecId", `Connection spec id "${id}" is not a UUID.`);
      if (await store.getResource(kind, globalScope, id)) {
        throw new FlowError(
          "badRequest",
          `Connection spec ${id} exists already; replace it with PUT /connectionSpecs/${id}.`,
        );
      }
      const doc = { ...withoutServerFields(canonicalConnectionSpec(request.body)), ...authorship(request.tenant) };
      const created = await store.createResource({ kind, scope: globalScope, id, doc });
      return reply
        .status(201)
        .header("location", `${request.url.split("?")[0]}/${id}`)
        .send(presentSpec(created, request.tenant));
    },
  );

  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>(
    "/connectionSpecs/:id",
    {
      schema: {
        tags,
        summary: "Replace a connection spec (admin)",
        params: idParamsSchema,
        headers: ifMatchHeaderSchema,
        body: connectionSpecJsonSchema,
        response: { 200: { type: "object", additionalProperties: true }, ...errors },
      },
      validatorCompiler: bodyLintedLater,
      preHandler: adminThenLint("update connection specs", lintConnectionSpec, "connection spec"),
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
      const doc = {
        ...withoutServerFields(canonicalConnectionSpec(request.body)),
        ...authorship(request.tenant, existing.doc),
      };
      const expectedEtag = optionalIfMatch(request.headers["if-match"]);
      const updated = await store.updateResource({ kind, scope: globalScope, id, doc, expectedEtag });
      return presentSpec(updated, request.tenant);
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/connectionSpecs/:id",
    {
      schema: {
        tags,
        summary: "Delete a connection spec no connection uses (admin)",
        params: idParamsSchema,
        response: { 204: { type: "null" }, ...errors },
      },
    },
    async (request, reply) => {
      requireAdmin(request.tenant, "delete connection specs");
      const { id } = request.params;
      if (id === dataLakeConnectionSpecId)
        throw new FlowError("badRequest", "The built-in Data Lake connection spec cannot be deleted.");
      if (!(await store.getResource(kind, globalScope, id))) throw notFound(kind, id);
      const users = await store.countByParent("connections", id);
      if (users > 0) {
        throw new FlowError("inUse", `Connection spec ${id} is used by ${users} connection(s); delete them first.`, {
          id,
        });
      }
      await store.deleteResource(kind, globalScope, id, optionalIfMatch(request.headers["if-match"]));
      return reply.status(204).send();
    },
  );
}
