/**
 * KeyBased (spec §3.3): each `authKeyN` goes in the header named by its
 * `restAttributes.headerParamName`, or in the query under `queryParamName` (our extension). A key
 * with neither is only a `${authKeyN}` placeholder value.
 */
import { type Authenticator, type OutgoingRequest, stringParam } from "./types.ts";

interface Placement {
  readonly value: string;
  readonly header?: string;
  readonly queryName?: string;
}

function restAttributes(schema: Readonly<Record<string, unknown>>, key: string): Record<string, unknown> {
  const properties = schema.properties as Record<string, { restAttributes?: Record<string, unknown> }> | undefined;
  return properties?.[key]?.restAttributes ?? {};
}

export function keyBasedAuthenticator(
  params: Readonly<Record<string, unknown>>,
  schema: Readonly<Record<string, unknown>>,
): Authenticator {
  const placements: Placement[] = [];
  for (const key of Object.keys(params)) {
    if (!/^authKey\d+$/.test(key)) continue;
    const value = stringParam(params, key);
    if (value === undefined) continue;
    const attrs = restAttributes(schema, key);
    const header = typeof attrs.headerParamName === "string" ? attrs.headerParamName : undefined;
    const queryName = typeof attrs.queryParamName === "string" ? attrs.queryParamName : undefined;
    placements.push({ value, ...(header ? { header } : {}), ...(queryName ? { queryName } : {}) });
  }
  const place = (request: OutgoingRequest) => {
    for (const p of placements) {
      if (p.header) request.headers[p.header] = p.value;
      if (p.queryName) request.query[p.queryName] = p.value;
    }
  };
  return {
    type: "KeyBased",
    secretHeaders: new Set(placements.flatMap((p) => (p.header ? [p.header.toLowerCase()] : []))),
    async apply(request) {
      place(request);
    },
    preview: place,
    async recover() {
      return false;
    },
  };
}
