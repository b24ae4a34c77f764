/**
 * OFFSET (spec §4.6): `limitName=limitValue` and `offSetName` (or `offsetName`) from 0, growing by
 * limitValue. Stops on the end condition, on an empty page, and (without an end condition) on a
 * page shorter than limitValue. The offset only grows, so it can never repeat.
 */
import { EngineError } from "../errors.ts";
import { checkpointMismatch, type Fields, limitParam, requiredString } from "./fields.ts";
import type { Paginator, PaginatorOptions } from "./types.ts";

export function offsetPaginator(fields: Fields, options: PaginatorOptions): Paginator {
  const offsetName = requiredString(fields, "OFFSET", "offSetName", "offsetName");
  const { query: limitQuery, limit } = limitParam(fields);
  if (limit === undefined)
    throw new EngineError("spec", "OFFSET pagination needs paginationParams.limitName and limitValue");
  let offset = 0;
  let stepped = false;
  const request = () => ({ query: { ...limitQuery, [offsetName]: String(offset) }, headers: {} });
  return {
    type: "OFFSET",
    delayMs: options.delayMs,
    maximumRequest: options.maximumRequest,
    bodyPaths: [],
    first: () => ({ query: { ...limitQuery, [offsetName]: "0" }, headers: {} }),
    next(page) {
      if (page.itemCount === 0) return { kind: "stop", reason: "empty-page" };
      if (options.shortPageStops && page.itemCount < limit) return { kind: "stop", reason: "short-page" };
      offset += limit;
      stepped = true;
      return { kind: "next", request: request() };
    },
    checkpoint: () => (stepped ? { type: "OFFSET", offset } : undefined),
    resume(checkpoint) {
      if (checkpoint.type !== "OFFSET") throw checkpointMismatch("OFFSET", checkpoint.type);
      offset = checkpoint.offset;
      stepped = true;
      return request();
    },
  };
}
