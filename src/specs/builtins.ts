/**
 * The specs every Inlet has from its first start (seeded by src/catalog/seed-builtins.ts):
 * the RestStorageToAEP flow spec (spec §1.3) and the Data Lake target connection spec.
 * Both are deep-frozen: callers copy them, nobody edits the originals.
 */

export const restStorageToAepFlowSpecId = "6499120c-0b15-42dc-936e-847ea3c24d72";
export const dataLakeConnectionSpecId = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";
/** The providerId of every batch SDK spec (spec §0). */
export const genericRestProviderId = "0ed90a81-07f4-4586-8190-b40eccef1c5a";

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * RestStorageToAEP verbatim from spec §1.3, except `sourceConnectionSpecIds`: Adobe's list names
 * Adobe-hosted specs (Generic REST 4e98f16f-…, the MailChimp examples, …) that an Inlet store does
 * not hold, and Inlet ships no source spec of its own. So the list starts empty, and authors append
 * their spec's id with PUT /flowSpecs/{id} (spec §6), exactly as on Adobe. An id listed here for a
 * spec that does not exist would only let a flow reference a spec nobody can read.
 */
export const restStorageToAepFlowSpec: Readonly<Record<string, unknown>> = deepFreeze({
  id: restStorageToAepFlowSpecId,
  name: "RestStorageToAEP",
  providerId: genericRestProviderId,
  version: "1.0",
  sourceConnectionSpecIds: [] as string[],
  targetConnectionSpecIds: [dataLakeConnectionSpecId],
  optionSpec: {
    name: "OptionSpec",
    spec: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: {
        errorDiagnosticsEnabled: { title: "Error diagnostics.", type: "boolean", default: false },
        partialIngestionPercent: { title: "Partial ingestion threshold.", type: "number", exclusiveMinimum: 0 },
      },
    },
  },
  transformationSpecs: [
    {
      name: "Mapping",
      spec: {
        type: "object",
        properties: { mappingId: { type: "string" }, mappingVersion: { type: "string" } },
      },
    },
  ],
  scheduleSpec: {
    name: "PeriodicSchedule",
    type: "Periodic",
    spec: {
      type: "object",
      properties: {
        startTime: { description: "epoch time", type: "integer" },
        frequency: { type: "string", enum: ["once", "minute", "hour", "day", "week"] },
        interval: { type: "integer" },
        backfill: { type: "boolean", default: true },
      },
      required: ["startTime", "frequency"],
      if: { properties: { frequency: { const: "once" } } },
      // biome-ignore lint/suspicious/noThenProperty: "then" is a JSON Schema keyword here
      then: { allOf: [{ not: { required: ["interval"] } }, { not: { required: ["backfill"] } }] },
      else: {
        required: ["interval"],
        if: { properties: { frequency: { const: "minute" } } },
        // biome-ignore lint/suspicious/noThenProperty: "then" is a JSON Schema keyword here
        then: { properties: { interval: { minimum: 15 } } },
        else: { properties: { interval: { minimum: 1 } } },
      },
    },
  },
  attributes: { notification: { category: "sources", flowRun: { enabled: true } } },
  permissionsInfo: {
    manage: [{ "@type": "lowLevel", name: "EnterpriseSource", permissions: ["write"] }],
    view: [{ "@type": "lowLevel", name: "EnterpriseSource", permissions: ["read"] }],
  },
});

/**
 * The Data Lake target (spec §1.6). Adobe documents its id and version but not its body, so this
 * is Inlet's own minimal form: no sourceSpec, no authSpec entries (the platform's own storage needs
 * no credentials), and a `targetSpec` whose `spec` is the JSON Schema of a target connection's
 * `params`. The linter recognises a spec with a targetSpec and no sourceSpec as a target, checks
 * its targetSpec.spec as a draft-07 schema and asks nothing of sources from it; this spec passes
 * `lintConnectionSpec` without problems (src/specs/builtins.test.ts).
 */
export const dataLakeConnectionSpec: Readonly<Record<string, unknown>> = deepFreeze({
  id: dataLakeConnectionSpecId,
  name: "Data Lake",
  description: "The platform data lake: a target connection names the dataset its records are written to.",
  type: "target",
  version: "1.0",
  attributes: { isSource: false },
  authSpec: [] as unknown[],
  targetSpec: {
    name: "Data Lake",
    spec: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      description: "Target connection params",
      properties: {
        dataSetId: {
          type: "string",
          description: "The dataset to write to (Adobe's are 24 hex characters, e.g. 6155e3a9bd13651949515f14).",
          pattern: "^[A-Za-z0-9_-]{1,128}$",
        },
      },
      required: ["dataSetId"],
    },
  },
});
