/** Field readers shared by the paginators: numbers are often strings in real specs (spec §10.3). */
import { EngineError } from "../errors.ts";

export type Fields = Readonly<Record<string, unknown>>;

export function optionalNumber(fields: Fields, name: string): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === "") return undefined;
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\s*-?\d+\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new EngineError("spec", `paginationParams.${name} must be an integer (got ${JSON.stringify(value)})`);
  return n;
}

export function optionalString(fields: Fields, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = fields[name];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
  }
  return undefined;
}

export function requiredString(fields: Fields, type: string, ...names: string[]): string {
  const value = optionalString(fields, ...names);
  if (value === undefined) throw new EngineError("spec", `${type} pagination needs paginationParams.${names[0]}`);
  return value;
}

/** limitName=limitValue, when both are given; limitValue must be positive. */
export function limitParam(fields: Fields): { readonly query: Record<string, string>; readonly limit?: number } {
  const name = optionalString(fields, "limitName");
  const limit = optionalNumber(fields, "limitValue");
  if (limit !== undefined && limit <= 0) throw new EngineError("spec", "paginationParams.limitValue must be positive");
  if (name === undefined || limit === undefined) return { query: {} };
  return { query: { [name]: String(limit) }, limit };
}

/** A checkpoint handed to a paginator of another type (a changed spec) cannot be resumed. */
export function checkpointMismatch(expected: string, got: string): EngineError {
  return new EngineError("spec", `Cannot resume a ${expected} read from a ${got} checkpoint`);
}

export function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || value === "" || value === false;
}
