/** Builds the paginator named by paginationParams.type; `delayRequestMillis` and `maximumRequest` apply to all. */
import { EngineError } from "../errors.ts";
import { continuationTokenPaginator } from "./continuation-token.ts";
import { type Fields, optionalNumber } from "./fields.ts";
import { offsetPaginator } from "./offset.ts";
import { pagePaginator } from "./page.ts";
import { pointerPaginator } from "./pointer.ts";
import { type PaginationType, type Paginator, paginationTypes } from "./types.ts";

export const defaultMaximumRequest = 10_000;

export function createPaginator(value: unknown): Paginator {
  const fields: Fields = value !== null && typeof value === "object" ? (value as Fields) : {};
  const type = (typeof fields.type === "string" ? fields.type.toUpperCase() : "NONE") as PaginationType;
  if (!paginationTypes.includes(type))
    throw new EngineError(
      "spec",
      `paginationParams.type "${String(fields.type)}" is not one of ${paginationTypes.join(", ")}`,
    );
  const maximumRequest = optionalNumber(fields, "maximumRequest") ?? defaultMaximumRequest;
  if (maximumRequest < 1) throw new EngineError("spec", "paginationParams.maximumRequest must be at least 1");
  const common = { delayMs: Math.max(0, optionalNumber(fields, "delayRequestMillis") ?? 0), maximumRequest };
  switch (type) {
    case "OFFSET":
      return offsetPaginator(fields, common);
    case "POINTER":
      return pointerPaginator(fields, common);
    case "CONTINUATION_TOKEN":
      return continuationTokenPaginator(fields, common);
    case "PAGE":
      return pagePaginator(fields, common);
    case "NONE":
      return {
        type: "NONE",
        ...common,
        first: () => ({ query: {}, headers: {} }),
        next: () => ({ kind: "stop", reason: "single-page" }),
      };
  }
}

export type { PageRequest, PageResult, PageStep, Paginator, StopReason } from "./types.ts";
export { stopReasons } from "./types.ts";
