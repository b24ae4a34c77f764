/**
 * "Is this still in use?" for deletes (spec §9: 1418). Flows are kind "flows" with
 * `sourceConnectionIds[]`/`targetConnectionIds[]`; a flow's parentId is its first source connection,
 * which covers only the first id, so the flows of the scope are listed and checked instead.
 */
import { FlowError } from "../errors.ts";
import type { MetadataStore, Scope, StoredResource } from "../store/metadata-store.ts";

type Role = "sourceConnectionIds" | "targetConnectionIds";

function references(flow: StoredResource, role: Role, ids: ReadonlySet<string>): boolean {
  const list = flow.doc[role];
  return Array.isArray(list) && list.some((id) => typeof id === "string" && ids.has(id));
}

/** The ids of the scope's flows that reference any of `ids` in `role`. */
export async function flowsUsing(
  store: MetadataStore,
  scope: Scope,
  role: Role,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const wanted = new Set(ids);
  const flows = await store.listResources("flows", scope);
  return flows.filter((flow) => references(flow, role, wanted)).map((flow) => flow.id);
}

const shown = 5;

export function inUse(kind: string, id: string, users: readonly string[], userKind: string): FlowError {
  const list = users.slice(0, shown).join(", ") + (users.length > shown ? `, … (${users.length} in all)` : "");
  return new FlowError(
    "inUse",
    `The ${kind} ${id} is used by ${userKind} ${list}; delete ${users.length === 1 ? "it" : "them"} first.`,
    { id, type: kind, usedBy: { type: userKind, ids: users } },
  );
}
