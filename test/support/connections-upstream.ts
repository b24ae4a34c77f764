/**
 * A Basic-auth members API for the connection tests: GET /lists/{id}/members (OFFSET count/offset),
 * GET /auth/check, and lists named `status-<code>` that answer that status with a body echoing
 * the credentials (to prove errors never carry them back). Plus connection specs for it and for
 * the OAuth imitation (test/imitation-apis/oauth.ts).
 */
import { type Imitation, sendJson, startImitation } from "../imitation-apis/server.ts";

export interface MembersApiOptions {
  readonly username?: string;
  readonly password: string;
  readonly members?: number;
}

export function startMembersApi(options: MembersApiOptions): Promise<Imitation> {
  const members = options.members ?? 12;
  return startImitation((req, res, url) => {
    const header = req.headers.authorization ?? "";
    const decoded = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString() : "";
    const authorised = decoded === `${options.username ?? "ana"}:${options.password}`;
    const failing = /^\/lists\/status-(\d{3})\/members$/.exec(url.pathname);
    if (failing) {
      return sendJson(res, Number(failing[1]), { error: "failing on purpose", echo: decoded, header });
    }
    if (!authorised) return sendJson(res, 401, { error: "bad credentials", echo: decoded, header });
    if (url.pathname === "/auth/check") return sendJson(res, 200, { ok: true });
    const list = /^\/lists\/([^/]+)\/members$/.exec(url.pathname);
    if (!list) return sendJson(res, 404, { error: "no such path" });
    const count = Number(url.searchParams.get("count") ?? "10");
    const offset = Number(url.searchParams.get("offset") ?? "0");
    const page = Array.from({ length: Math.max(0, Math.min(count, members - offset)) }, (_, k) => ({
      id: `m${offset + k}`,
      email: `user${offset + k}@example.com`,
      visits: offset + k,
    }));
    sendJson(res, 200, { members: page, list_id: list[1], total_items: members });
  });
}

const draft07 = "http://json-schema.org/draft-07/schema#";

const uiAttributes = {
  isSource: true,
  isPreview: true,
  isBeta: true,
  category: { key: "protocols" },
  icon: { key: "testIcon" },
  description: { key: "testDescription" },
  label: { key: "testLabel" },
};

const exploreSpec = {
  name: "Resource",
  type: "Resource",
  requestSpec: { $schema: draft07, type: "object" },
  responseSpec: { $schema: draft07, type: "object" },
};

/** Basic auth against startMembersApi; source param `listId` (required) and secret `listToken`. */
export function membersApiSpec(name = "Members API source"): Record<string, unknown> {
  return {
    name,
    description: "Members of a list, Basic auth",
    type: "generic-rest",
    providerId: "0ed90a81-07f4-4586-8190-b40eccef1c5a",
    version: "1.0",
    attributes: { category: "protocols", isSource: true },
    authSpec: [
      {
        name: "Basic Authentication",
        type: "BasicAuthentication",
        spec: {
          $schema: draft07,
          type: "object",
          description: "Basic authentication",
          properties: {
            host: { type: "string", description: "Base URL" },
            username: { type: "string", description: "User name" },
            password: { type: "string", format: "password", description: "Password" },
            authorizationTestUrl: { type: "string", description: "Checked on create" },
          },
          required: ["host", "username", "password"],
        },
      },
    ],
    sourceSpec: {
      attributes: {
        uiAttributes,
        urlParams: { host: "${host}", path: "/lists/${listId}/members", method: "GET" },
        contentPath: { path: "$.members", skipAttributes: [], keepAttributes: [], overrideWrapperAttribute: "member" },
        paginationParams: { type: "OFFSET", limitName: "count", limitValue: "5", offSetName: "offset" },
      },
      spec: {
        $schema: draft07,
        type: "object",
        description: "Source parameters",
        properties: {
          listId: { type: "string", description: "List id", minLength: 2 },
          listToken: { type: "string", format: "password", description: "A per-list secret" },
        },
        required: ["listId"],
      },
    },
    exploreSpec,
  };
}

/** OAuth2 refresh code against startOAuthProvider (GET /api/items, Bearer), spec nested in attributes. */
export function oauthItemsSpec(name = "OAuth items source"): Record<string, unknown> {
  return {
    name,
    description: "Items behind OAuth2 with rotating refresh tokens",
    type: "generic-rest",
    providerId: "0ed90a81-07f4-4586-8190-b40eccef1c5a",
    version: "1.0",
    attributes: { category: "protocols", isSource: true },
    authSpec: [
      {
        name: "OAuth2 Refresh Code",
        type: "OAuth2RefreshCode",
        spec: {
          $schema: draft07,
          type: "object",
          description: "OAuth2 refresh code",
          properties: {
            host: { type: "string" },
            authorizationTestUrl: { type: "string" },
            clientId: { type: "string" },
            clientSecret: { type: "string", format: "password" },
            accessToken: { type: "string", format: "password" },
            refreshToken: { type: "string", format: "password" },
            expirationDate: { type: "string", format: "date", uiAttributes: { hidden: true } },
            accessTokenUrl: { type: "string" },
          },
          required: ["host", "accessToken"],
        },
      },
    ],
    sourceSpec: {
      attributes: {
        uiAttributes,
        urlParams: { host: "${host}", path: "/api/items", method: "GET" },
        contentPath: { path: "$.items", skipAttributes: [], keepAttributes: [], overrideWrapperAttribute: "item" },
        paginationParams: { type: "NONE" },
        spec: {
          $schema: draft07,
          type: "object",
          description: "Optional category (nested layout: sourceSpec.attributes.spec)",
          properties: { category: { type: "string", enum: ["a", "b"] } },
        },
      },
    },
    exploreSpec,
  };
}

/** Base64 of a JSON value in the four spellings explore accepts. */
export function base64Forms(value: unknown): { padded: string; unpadded: string; urlSafe: string; percent: string } {
  const padded = Buffer.from(JSON.stringify(value)).toString("base64");
  return {
    padded,
    unpadded: padded.replace(/=+$/, ""),
    urlSafe: Buffer.from(JSON.stringify(value)).toString("base64url"),
    percent: padded.replace(/=/g, "%3D").replace(/\+/g, "%2B").replace(/\//g, "%2F"),
  };
}
