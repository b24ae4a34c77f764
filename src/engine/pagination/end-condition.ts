/**
 * `endConditionName` / `endConditionValue` (spec §4.6, documented for OFFSET; honoured for every
 * type). The name is a JSONPath into the response. The value follows Azure Data Factory's REST
 * pagination rules, which the `Const:` prefix comes from: `Const:<literal>` (the value equals the
 * literal, compared as text), `Empty` (missing, null, "" or an empty array/object), `NonEmpty`,
 * `Exist`, `NotExist`. Any other value is compared literally, like `Const:`.
 */
import { EngineError } from "../errors.ts";
import { type CompiledPath, compilePath } from "../json-path.ts";
import { type Fields, optionalString } from "./fields.ts";

export interface EndCondition {
  readonly description: string;
  readonly path: CompiledPath;
  met(body: unknown): boolean;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}

function asText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function endCondition(fields: Fields): EndCondition | undefined {
  const name = optionalString(fields, "endConditionName");
  const raw = fields.endConditionValue;
  if (name === undefined) {
    if (raw !== undefined && raw !== null && raw !== "")
      throw new EngineError("spec", "paginationParams.endConditionValue needs endConditionName");
    return undefined;
  }
  const path = compilePath(name, "paginationParams.endConditionName");
  if (raw === undefined || raw === null || raw === "")
    throw new EngineError("spec", "paginationParams.endConditionName needs endConditionValue (e.g. Const:false)");
  const value = typeof raw === "string" ? raw.trim() : JSON.stringify(raw);
  const description = `${path.source} ${value}`;
  switch (value) {
    case "Empty":
      return { description, path, met: (body) => isEmpty(path.first(body)) };
    case "NonEmpty":
      return { description, path, met: (body) => !isEmpty(path.first(body)) };
    case "Exist":
      return { description, path, met: (body) => path.select(body).length > 0 };
    case "NotExist":
      return { description, path, met: (body) => path.select(body).length === 0 };
    default: {
      const literal = value.startsWith("Const:") ? value.slice("Const:".length) : value;
      return { description, path, met: (body) => asText(path.first(body)) === literal };
    }
  }
}
