// biome-ignore-all lint/suspicious/noTemplateCurlyInString: descriptions show literal ${name} placeholders
/**
 * JSON Schemas (draft-07) of the connection spec and flow spec bodies (spec §1.2, §1.3, §3-§5).
 * They serve twice: @fastify/swagger turns them into the OpenAPI document, and the linter runs
 * them with Ajv for the structural part of its checks (types, required fields). So they use only
 * keywords OpenAPI 3 understands (no `$schema`, `$id`, `const`, `if`), stay open to unknown fields
 * (`additionalProperties: true`; the linter warns about those itself), and carry an `x-expected`
 * extension that the linter quotes when an `anyOf` fails. Rules that depend on a type or on
 * another field (pagination per type, placeholders, JSONPath, schedule formats, categories) live
 * in code, because a schema cannot say them in a sentence a person can act on.
 */

const uuidPattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

const uuid = {
  type: "string",
  pattern: uuidPattern,
  "x-expected": "a UUID such as 6499120c-0b15-42dc-936e-847ea3c24d72",
};

/** An embedded draft-07 JSON Schema; the linter checks it against the draft-07 meta-schema. */
const embeddedSchema = {
  type: "object",
  additionalProperties: true,
  description: "A draft-07 JSON Schema (type, properties, required, …).",
};

/** Numbers are often written as strings in real specs (spec §10.3); both are accepted. */
const integerLike = {
  anyOf: [{ type: "integer" }, { type: "string", pattern: "^\\s*-?\\d+\\s*$" }],
  "x-expected": 'an integer (a numeric string such as "100" is accepted)',
};

const stringList = { type: "array", items: { type: "string" } };

/** A request setting written as an object or as a string (JSON-in-string or `a=b,c=${x}`). */
const paramMap = {
  anyOf: [{ type: "object", additionalProperties: true }, { type: "string" }],
  "x-expected": "an object of name → value, or a string such as \"{'a':'b'}\" or \"a=b,c=${x}\"",
};

/** contentPath / explodeEntityPath: a JSONPath string, or an object with `path` (spec §4.5). */
const pathSetting = {
  anyOf: [
    { type: "string", minLength: 1 },
    { type: "object", additionalProperties: true },
  ],
  "x-expected": 'a JSONPath string or an object {"path": "$.items", …}',
  required: ["path"],
  properties: {
    path: { type: "string", minLength: 1, description: 'the JSONPath of the array of records, e.g. "$.members"' },
    skipAttributes: { ...stringList, description: "attributes to drop from each record" },
    keepAttributes: { ...stringList, description: "the only attributes to keep (besides the wrapper)" },
    overrideWrapperAttribute: { type: "string", minLength: 1, description: "the name each record is wrapped under" },
  },
};

const keyOrText = {
  type: "object",
  additionalProperties: true,
  properties: { key: { type: "string" }, text: { type: "string" } },
};

const uiAttributes = {
  type: "object",
  additionalProperties: true,
  description: "How the source shows in the catalog (spec §4.2).",
  properties: {
    isSource: { type: "boolean" },
    isPreview: { type: "boolean" },
    isBeta: { type: "boolean" },
    category: { ...keyOrText, description: 'the catalog category, e.g. {"key": "marketingAutomation"}' },
    icon: keyOrText,
    description: keyOrText,
    label: keyOrText,
    documentationLink: { type: "string" },
    monitoringSupported: { type: "boolean" },
    apiFeatures: {
      type: "object",
      additionalProperties: true,
      properties: { explorePaginationSupported: { type: "boolean" } },
    },
  },
};

const paginationParams = {
  type: "object",
  additionalProperties: true,
  description: "How to fetch the next page (spec §4.6). Which fields are required depends on `type`.",
  properties: {
    type: { type: "string", description: "OFFSET, POINTER, CONTINUATION_TOKEN, PAGE or NONE" },
    limitName: { type: "string", minLength: 1 },
    limitValue: integerLike,
    offSetName: { type: "string", minLength: 1 },
    offsetName: { type: "string", minLength: 1 },
    endConditionName: { type: "string", minLength: 1 },
    endConditionValue: { type: "string" },
    pointerPath: { type: "string", minLength: 1 },
    continuationTokenPath: { type: "string", minLength: 1 },
    parameterType: { type: "string", description: "QUERYPARAM or HEADERPARAM" },
    parameterName: { type: "string", minLength: 1 },
    pageParamName: { type: "string", minLength: 1 },
    initialPageIndex: integerLike,
    endPageIndex: {
      anyOf: [{ type: "integer" }, { type: "string", pattern: "^\\s*-?\\d+\\s*$|^headers\\..+" }],
      "x-expected": 'an integer, or "headers.<name>" to read the page count from a response header',
    },
    maximumRequest: integerLike,
    delayRequestMillis: integerLike,
  },
};

const scheduleParams = {
  type: "object",
  additionalProperties: true,
  description:
    "Incremental windows (spec §4.7): the standard form (scheduleStartParamName, scheduleEndParamName, formats) " +
    "or type ADVANCE (paramFormat, incremental, backfill).",
  properties: {
    type: { type: "string" },
    scheduleStartParamName: { type: "string", minLength: 1 },
    scheduleEndParamName: { type: "string", minLength: 1 },
    scheduleStartParamFormat: { type: "string", minLength: 1 },
    scheduleEndParamFormat: { type: "string", minLength: 1 },
    paramFormat: { type: "string", minLength: 1 },
    incremental: { type: "string" },
    backfill: { type: "string" },
  },
};

const urlParams = {
  type: "object",
  additionalProperties: true,
  required: ["path"],
  properties: {
    host: { type: "string", description: "the base URL; when absent the auth param host is used" },
    path: { type: "string", description: 'the request path, e.g. "/3.0/lists/${listId}/members"' },
    method: { type: "string", description: "GET or POST" },
    queryParams: paramMap,
  },
};

const sourceAttributes = {
  type: "object",
  additionalProperties: true,
  description: "The source's fixed request settings (concrete layout) and its catalog attributes.",
  properties: {
    uiAttributes,
    urlParams,
    headerParams: paramMap,
    bodyParams: {
      anyOf: [{ type: "object", additionalProperties: true }, { type: "string" }],
      "x-expected": "a JSON object (sent as the JSON body) or a string",
    },
    contentPath: pathSetting,
    explodeEntityPath: pathSetting,
    paginationParams,
    scheduleParams,
    schema: embeddedSchema,
    spec: { ...embeddedSchema, description: "The older nested layout of sourceSpec.spec (accepted, stored beside)." },
  },
};

const authSpecEntry = {
  type: "object",
  additionalProperties: true,
  required: ["name", "type", "spec"],
  properties: {
    name: { type: "string", minLength: 1, description: 'the name base connections pick, e.g. "Basic Authentication"' },
    type: {
      type: "string",
      minLength: 1,
      description: 'the auth type: "OAuth2RefreshCode", "BasicAuthentication" or "KeyBased"',
    },
    spec: { ...embeddedSchema, description: "a draft-07 JSON Schema of the base connection's auth.params" },
  },
};

const permissionList = {
  type: "array",
  items: {
    type: "object",
    additionalProperties: true,
    properties: { "@type": { type: "string" }, name: { type: "string" }, permissions: stringList },
  },
};

const permissionsInfo = {
  type: "object",
  additionalProperties: true,
  properties: { view: permissionList, manage: permissionList },
};

export const connectionSpecJsonSchema = {
  type: "object",
  additionalProperties: true,
  description:
    "A connection spec (spec §1.2): authSpec, sourceSpec (both layouts of §4.1) and exploreSpec, or a targetSpec " +
    "for a target. The server lints it fully and answers every problem at once with a JSON Pointer.",
  required: ["name"],
  properties: {
    id: uuid,
    name: { type: "string", minLength: 1, description: 'a display name, e.g. "MailChimp Members source"' },
    description: { type: "string" },
    type: { type: "string", description: '"generic-rest" for batch SDK sources, "generic-streaming" for streaming' },
    providerId: uuid,
    version: { type: "string", description: 'the spec version, e.g. "1.0"' },
    attributes: {
      type: "object",
      additionalProperties: true,
      properties: {
        category: {
          anyOf: [{ type: "string" }, keyOrText],
          "x-expected": 'a category key such as "marketingAutomation", or {"key": "marketingAutomation"}',
        },
        connectorName: { type: "string" },
        isSource: { type: "boolean" },
        documentationLink: { type: "string" },
        uiAttributes,
      },
    },
    authSpec: { type: "array", items: authSpecEntry, description: "the ways a base connection can authenticate" },
    sourceSpec: {
      type: "object",
      additionalProperties: true,
      properties: {
        attributes: sourceAttributes,
        spec: { ...embeddedSchema, description: "a draft-07 JSON Schema of the source connection's params" },
      },
    },
    exploreSpec: {
      type: "object",
      additionalProperties: true,
      properties: {
        name: { type: "string" },
        type: { type: "string" },
        requestSpec: embeddedSchema,
        responseSpec: embeddedSchema,
      },
    },
    targetSpec: {
      type: "object",
      additionalProperties: true,
      required: ["spec"],
      properties: {
        name: { type: "string" },
        spec: { ...embeddedSchema, description: "a draft-07 JSON Schema of the target connection's params" },
      },
    },
    permissionsInfo,
  },
};

const namedSpec = {
  type: "object",
  additionalProperties: true,
  required: ["spec"],
  properties: { name: { type: "string" }, type: { type: "string" }, spec: embeddedSchema },
};

export const flowSpecJsonSchema = {
  type: "object",
  additionalProperties: true,
  description:
    "A flow spec such as RestStorageToAEP (spec §1.3). PUT it whole, e.g. with a new id appended to " +
    "sourceConnectionSpecIds. `transformationSpec` is accepted for `transformationSpecs`.",
  required: ["name", "sourceConnectionSpecIds", "targetConnectionSpecIds"],
  properties: {
    id: uuid,
    name: { type: "string", minLength: 1, description: 'the flow spec name, e.g. "RestStorageToAEP"' },
    description: { type: "string" },
    providerId: uuid,
    version: { type: "string" },
    sourceConnectionSpecIds: {
      type: "array",
      items: uuid,
      description: "the ids of the connection specs flows may read from",
    },
    targetConnectionSpecIds: {
      type: "array",
      items: uuid,
      description: "the ids of the connection specs flows may write to (the Data Lake spec)",
    },
    optionSpec: namedSpec,
    transformationSpecs: { type: "array", items: namedSpec },
    transformationSpec: { type: "array", items: namedSpec },
    scheduleSpec: namedSpec,
    attributes: { type: "object", additionalProperties: true },
    permissionsInfo,
  },
};
