/**
 * Builds the paginator named by `paginationParams.type` (spec §4.6; no params means NONE).
 * `delayRequestMillis`, `maximumRequest` (default 10000) and the end condition apply to every type.
 */
import { EngineError } from "../errors.ts";
import { continuationTokenPaginator } from "./continuation-token.ts";
import { endCondition } from "./end-condition.ts";
import { checkpointMismatch, type Fields, optionalNumber } from "./fields.ts";
import { offsetPaginator } from "./offset.ts";
import { pagePaginator } from "./page.ts";
import { pointerPaginator } from "./pointer.ts";
import { type PaginationType, type Paginator, type PaginatorOptions, paginationTypes } from "./types.ts";

export const defaultMaximumRequest = 10_000;

function typed(type: PaginationType, fields: Fields, options: PaginatorOptions): Paginator {
  switch (type) {
    case "OFFSET":
      return offsetPaginator(fields, options);
    case "POINTER":
      return pointerPaginator(fields, options);
    case "CONTINUATION_TOKEN":
      return continuationTokenPaginator(fields, options);
    case "PAGE":
      return pagePaginator(fields, options);
    case "NONE":
      return {
        type: "NONE",
        delayMs: options.delayMs,
        maximumRequest: options.maximumRequest,
        bodyPaths: [],
        first: () => ({ query: {}, headers: {} }),
        next: () => ({ kind: "stop", reason: "single-page" }),
        checkpoint: () => undefined,
        resume: (checkpoint) => {
          throw checkpointMismatch("NONE", checkpoint.type);
        },
      };
  }
}

export function createPaginator(value: unknown): Paginator {
  if (value !== undefined && value !== null && (typeof value !== "object" || Array.isArray(value)))
    throw new EngineError("spec", "paginationParams must be a JSON object");
  const fields: Fields = (value ?? {}) as Fields;
  const rawType = fields.type ?? "NONE";
  const type = (typeof rawType === "string" ? rawType.trim().toUpperCase() : "") as PaginationType;
  if (!paginationTypes.includes(type))
    throw new EngineError(
      "spec",
      `paginationParams.type "${String(rawType)}" is not one of ${paginationTypes.join(", ")}`,
    );
  const maximumRequest = optionalNumber(fields, "maximumRequest") ?? defaultMaximumRequest;
  if (maximumRequest < 1) throw new EngineError("spec", "paginationParams.maximumRequest must be at least 1");
  const delayMs = optionalNumber(fields, "delayRequestMillis") ?? 0;
  if (delayMs < 0) throw new EngineError("spec", "paginationParams.delayRequestMillis must not be negative");
  const end = endCondition(fields);
  const paginator = typed(type, fields, { delayMs, maximumRequest, shortPageStops: end === undefined });
  if (!end) return paginator;
  return {
    ...paginator,
    bodyPaths: [...paginator.bodyPaths, end.path],
    next: (page) => (end.met(page.body) ? { kind: "stop", reason: "end-condition" } : paginator.next(page)),
  };
}

export type { PageCheckpoint, PageRequest, PageResult, PageStep, Paginator, StopReason } from "./types.ts";
export { stopReasons } from "./types.ts";
