/**
 * The shared PATCH route records the applied JSON Patch in `lastOperation.ops` (spec §1.8). For
 * connections those ops may carry new secrets in clear text, so before the document is stored
 * every op value is masked wherever the document now holds a sealed value at that place.
 */
import type { JsonObject } from "../store/metadata-store.ts";
import { isObject, isSealed, secretMask } from "./secret-fields.ts";

function segments(pointer: string): string[] {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function at(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const segment of path) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node) && Object.hasOwn(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}

/** `value` with every string masked whose counterpart in `stored` (same place) is sealed. */
function maskAgainst(value: unknown, stored: unknown): unknown {
  if (typeof value === "string") return isSealed(stored) ? secretMask : value;
  if (Array.isArray(value))
    return value.map((item, i) => maskAgainst(item, Array.isArray(stored) ? stored[i] : undefined));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = maskAgainst(child, isObject(stored) && Object.hasOwn(stored, key) ? stored[key] : undefined);
  }
  return out;
}

/** The document with the values of `lastOperation.ops` masked where the document holds secrets. */
export function maskPatchOperations(doc: JsonObject): JsonObject {
  const last = doc.lastOperation;
  if (!isObject(last) || !Array.isArray(last.ops)) return doc;
  const ops = last.ops.map((op) => {
    if (!isObject(op) || !("value" in op) || typeof op.path !== "string") return op;
    const target = at(doc, segments(op.path));
    // A value at a place where nothing is stored now (a failed `test`, a removed field) shows nothing.
    const value = target === undefined && typeof op.value === "string" ? secretMask : maskAgainst(op.value, target);
    return { ...op, value };
  });
  return { ...doc, lastOperation: { ...last, ops } };
}
