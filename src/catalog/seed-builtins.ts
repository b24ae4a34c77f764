import {
  dataLakeConnectionSpec,
  dataLakeConnectionSpecId,
  restStorageToAepFlowSpec,
  restStorageToAepFlowSpecId,
} from "../specs/index.ts";
import { globalScope, type MetadataStore, type ResourceKind } from "../store/metadata-store.ts";

const system = { createdBy: "inlet@System", updatedBy: "inlet@System", createdClient: "inlet", updatedClient: "inlet" };

/**
 * The RestStorageToAEP flow spec and the Data Lake target spec exist from the first start (spec
 * §1.3). Only missing ones are created, so an author's PUT of the flow spec survives restarts.
 */
export async function seedBuiltins(store: MetadataStore): Promise<void> {
  await ensure(store, "flowSpecs", restStorageToAepFlowSpecId, restStorageToAepFlowSpec);
  await ensure(store, "connectionSpecs", dataLakeConnectionSpecId, dataLakeConnectionSpec);
}

async function ensure(
  store: MetadataStore,
  kind: ResourceKind,
  id: string,
  doc: Record<string, unknown>,
): Promise<void> {
  if (await store.getResource(kind, globalScope, id)) return;
  const { id: _ignored, ...body } = doc;
  try {
    await store.createResource({ kind, scope: globalScope, id, doc: { ...body, ...system } });
  } catch (error) {
    // Another process starting at the same moment may have created it first.
    if (!(await store.getResource(kind, globalScope, id))) throw error;
  }
}
