/**
 * Route schemas shared by the Flow Service routes. They validate requests and feed the OpenAPI
 * document, so each route says once what it takes and answers.
 */
export const errorResponseSchema = {
  description: "Flow Service error envelope (FLOW-<code>-<status>)",
  type: "object",
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    report: { type: "object", additionalProperties: true },
    errorMessage: { type: "string" },
    errorDetails: { type: "string" },
  },
} as const;

const stringOrList = { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] } as const;

export const listQuerySchema = {
  type: "object",
  properties: {
    limit: { type: "string", description: "Page size, 1 to 1000 (default 100)." },
    continuationToken: { type: "string", description: "Opaque token from _links.next.href." },
    orderby: { type: "string", description: "Field with optional + (ascending) or - (descending) prefix." },
    property: {
      ...stringOrList,
      description: "Filter (path==a,b; !=, >, <, >=, <=; dotted paths, [] into arrays) or a projection.",
    },
    count: { type: "string", enum: ["true", "false"], description: "true answers only {count}." },
  },
} as const;

export const idParamsSchema = {
  type: "object",
  properties: { id: { type: "string", minLength: 1, maxLength: 128 } },
  required: ["id"],
} as const;

export const anyObject = { type: "object", additionalProperties: true } as const;

export const listEnvelopeSchema = {
  type: "object",
  properties: {
    items: { type: "array", items: anyObject },
    _links: anyObject,
    count: { type: "integer" },
  },
} as const;

export const ifMatchHeaderSchema = {
  type: "object",
  properties: { "if-match": { type: "string", description: "The resource's etag, with or without quotes." } },
} as const;
