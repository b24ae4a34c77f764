import { FlowError } from "../errors.ts";

/**
 * JSON Patch (RFC 6902) for PATCH on instance resources. Adobe supports add, replace and remove
 * and answers 1434 for the others (spec §2.2); `test` is kept because it costs nothing and lets a
 * client guard a change. The document is copied, never mutated, so a refused patch changes nothing.
 */
export const patchOperations = ["add", "replace", "remove", "test"] as const;
export type PatchOperation = {
  readonly op: (typeof patchOperations)[number];
  readonly path: string;
  readonly value?: unknown;
};

const forbiddenSegments = new Set(["__proto__", "constructor", "prototype"]);

export function parsePatch(body: unknown): PatchOperation[] {
  const operations = Array.isArray(body) ? body : [body];
  return operations.map((raw, index) => {
    if (raw === null || typeof raw !== "object") {
      throw new FlowError("patchValidation", `Patch operation ${index} must be an object with op and path.`);
    }
    const { op: given, path, value } = raw as Record<string, unknown>;
    // Adobe's Swagger spells the ops ADD, REPLACE and REMOVE (spec §10.17); RFC 6902 lower case.
    const op = typeof given === "string" ? given.toLowerCase() : given;
    if (typeof op !== "string" || !patchOperations.includes(op as PatchOperation["op"])) {
      throw new FlowError(
        "unsupportedPatchOp",
        `Patch operation "${String(given)}" is not supported; use add, replace or remove.`,
      );
    }
    if (typeof path !== "string" || (path !== "" && !path.startsWith("/"))) {
      throw new FlowError("patchValidation", `Patch operation ${index} needs a JSON Pointer path such as /name.`);
    }
    if (op !== "remove" && !("value" in (raw as object))) {
      throw new FlowError("patchValidation", `Patch operation ${index} (${op} ${path}) is missing its value.`);
    }
    return { op: op as PatchOperation["op"], path, value };
  });
}

function segmentsOf(path: string): string[] {
  const segments = path
    .split("/")
    .slice(1)
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (segments.some((segment) => forbiddenSegments.has(segment))) {
    throw new FlowError("patchValidation", `Patch path ${path} is not allowed.`);
  }
  return segments;
}

export function applyPatch<T extends Record<string, unknown>>(doc: T, operations: readonly PatchOperation[]): T {
  const result = structuredClone(doc) as Record<string, unknown>;
  for (const operation of operations) applyOne(result, operation);
  return result as T;
}

function applyOne(root: Record<string, unknown>, operation: PatchOperation): void {
  const segments = segmentsOf(operation.path);
  if (segments.length === 0) throw new FlowError("patchValidation", "Patching the whole document is not supported.");
  const last = segments.at(-1)!;
  let parent: unknown = root;
  for (const segment of segments.slice(0, -1)) {
    parent = child(parent, segment, operation);
  }
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    const inRange = Number.isInteger(index) && index >= 0 && index <= parent.length;
    if (!inRange || (operation.op !== "add" && index >= parent.length)) missing(operation);
    if (operation.op === "add") parent.splice(index, 0, structuredClone(operation.value));
    else if (operation.op === "replace") parent[index] = structuredClone(operation.value);
    else if (operation.op === "remove") parent.splice(index, 1);
    else testEquals(parent[index], operation);
    return;
  }
  if (parent === null || typeof parent !== "object") missing(operation);
  const object = parent as Record<string, unknown>;
  const exists = Object.hasOwn(object, last);
  if ((operation.op === "replace" || operation.op === "remove" || operation.op === "test") && !exists)
    missing(operation);
  if (operation.op === "remove") delete object[last];
  else if (operation.op === "test") testEquals(object[last], operation);
  else object[last] = structuredClone(operation.value);
}

function child(parent: unknown, segment: string, operation: PatchOperation): unknown {
  if (Array.isArray(parent)) {
    const index = Number(segment);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) missing(operation);
    return parent[index];
  }
  if (parent === null || typeof parent !== "object" || !Object.hasOwn(parent, segment)) missing(operation);
  return (parent as Record<string, unknown>)[segment];
}

function missing(operation: PatchOperation): never {
  throw new FlowError("patchValidation", `Patch ${operation.op} ${operation.path}: the path does not exist.`);
}

function testEquals(actual: unknown, operation: PatchOperation): void {
  if (JSON.stringify(actual) !== JSON.stringify(operation.value)) {
    throw new FlowError("patchValidation", `Patch test ${operation.path} failed: the value differs.`);
  }
}
