/**
 * The stored form of a connection spec (spec §4.1 Recommendation): `sourceSpec.spec` sits beside
 * `sourceSpec.attributes`. The older nested layout (`sourceSpec.attributes.spec`) is accepted on
 * input and moved out; when both are present the sibling wins (the linter warns about the pair).
 * Everything else, a plain-string `contentPath` included, is kept as sent. Nothing is mutated.
 */
import { isObject, own } from "./problems.ts";

export function canonicalConnectionSpec(doc: Record<string, unknown>): Record<string, unknown>;
export function canonicalConnectionSpec(doc: unknown): unknown;
export function canonicalConnectionSpec(doc: unknown): unknown {
  if (!isObject(doc)) return doc;
  const sourceSpec = own(doc, "sourceSpec");
  if (!isObject(sourceSpec)) return doc;
  const attributes = own(sourceSpec, "attributes");
  if (!isObject(attributes) || !Object.hasOwn(attributes, "spec")) return doc;
  // Rest/spread copies own keys as data properties, so a "__proto__" key stays plain data.
  const { spec: nested, ...withoutSpec } = attributes;
  const spec = Object.hasOwn(sourceSpec, "spec") ? sourceSpec.spec : nested;
  return { ...doc, sourceSpec: { ...sourceSpec, attributes: withoutSpec, spec } };
}
