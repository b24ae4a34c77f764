/** OFFSET (spec §4.6): limit + offset; stops on the end condition, an empty page or a short page. */
import { EngineError } from "../errors.ts";
import { compilePath } from "../json-path.ts";
import { type Fields, limitParam, optionalString, requiredString } from "./fields.ts";
import type { Paginator } from "./types.ts";

/** `Const:false` compares with the literal `false`; a bare value compares the same way. */
function endValue(raw: string): string {
  return raw.startsWith("Const:") ? raw.slice("Const:".length) : raw;
}

function asText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function offsetPaginator(fields: Fields, common: Pick<Paginator, "delayMs" | "maximumRequest">): Paginator {
  const offsetName = requiredString(fields, "OFFSET", "offSetName", "offsetName");
  const { query: limitQuery, limit } = limitParam(fields);
  if (limit === undefined)
    throw new EngineError("spec", "OFFSET pagination needs paginationParams.limitName and limitValue");
  const endName = optionalString(fields, "endConditionName");
  const endPath = endName === undefined ? undefined : compilePath(endName, "paginationParams.endConditionName");
  const endLiteral = endValue(optionalString(fields, "endConditionValue") ?? "");
  let offset = 0;
  return {
    type: "OFFSET",
    ...common,
    first: () => ({ query: { ...limitQuery, [offsetName]: "0" }, headers: {} }),
    next(page) {
      if (endPath && asText(endPath.first(page.body)) === endLiteral) return { kind: "stop", reason: "end-condition" };
      if (page.itemCount === 0) return { kind: "stop", reason: "empty-page" };
      if (!endPath && page.itemCount < limit) return { kind: "stop", reason: "short-page" };
      offset += limit;
      return { kind: "next", request: { query: { ...limitQuery, [offsetName]: String(offset) }, headers: {} } };
    },
  };
}
