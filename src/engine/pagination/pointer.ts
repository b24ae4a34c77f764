/** POINTER (spec §4.6): follows the absolute or relative URL at pointerPath; a repeated URL is a loop. */
import { EngineError } from "../errors.ts";
import { compilePath } from "../json-path.ts";
import { type Fields, isEmptyValue, limitParam, requiredString } from "./fields.ts";
import type { Paginator } from "./types.ts";

export function pointerPaginator(fields: Fields, common: Pick<Paginator, "delayMs" | "maximumRequest">): Paginator {
  const path = compilePath(requiredString(fields, "POINTER", "pointerPath", "pointer"), "paginationParams.pointerPath");
  const { query } = limitParam(fields);
  const seen = new Set<string>();
  return {
    type: "POINTER",
    ...common,
    first: () => ({ query, headers: {} }),
    next(page) {
      seen.add(page.url);
      if (page.itemCount === 0) return { kind: "stop", reason: "empty-page" };
      const pointer = path.first(page.body);
      if (isEmptyValue(pointer)) return { kind: "stop", reason: "no-next-token" };
      if (typeof pointer !== "string")
        throw new EngineError(
          "extraction",
          `pointerPath ${path.source} is not a URL string in the response of ${page.url}`,
          { url: page.url },
        );
      const url = new URL(pointer, page.url).toString();
      if (seen.has(url))
        throw new EngineError("loop", `Pagination loop: the next-page pointer ${url} was already fetched`, { url });
      return { kind: "next", request: { query: {}, headers: {}, url } };
    },
  };
}
