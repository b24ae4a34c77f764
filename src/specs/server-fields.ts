/**
 * The metadata the Flow Service stamps on every stored document (spec §1.1). A client cannot set
 * them through a body, a body copied from a GET carries them, and comparing a local spec with the
 * stored one must ignore them. A connection spec's own `version` ("1.0") is not one of them.
 */
export const serverOwnedFields = [
  "id",
  "createdAt",
  "updatedAt",
  "createdBy",
  "updatedBy",
  "createdClient",
  "updatedClient",
  "sandboxId",
  "sandboxName",
  "imsOrgId",
  "etag",
] as const;

export function withoutServerFields(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy = { ...body };
  for (const field of serverOwnedFields) delete copy[field];
  return copy;
}
