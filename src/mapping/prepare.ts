/**
 * Validating a new mapping set (POST /mappingSets). The set is checked as far as what it names
 * allows: sources always (paths parse, expressions compile: known functions, right arities);
 * destinations against a dataset's schema when the set names one, by `dataSetId` (our extension)
 * or by schema id (`xdmSchema` or `outputSchema.schemaRef.id`, a dataset's `schemaRef.id`).
 * A set naming neither has its destinations checked when a flow puts it in front of a dataset.
 */
import { type DatasetRecord, findDatasetBySchemaId, getDataset } from "../datasets/catalog.ts";
import { FlowError, type Problem } from "../errors.ts";
import type { JsonObject, MetadataStore, Scope } from "../store/metadata-store.ts";
import { analyseEntries, mappingInvalid, readMappingSet } from "./mapping-set.ts";

const keptFields = ["name", "description", "xdmSchema", "xdmVersion", "outputSchema", "dataSetId", "mappings"] as const;

export interface PreparedMappingSet {
  readonly doc: JsonObject;
  /** The dataset the set was checked against, if it names one. */
  readonly dataset: DatasetRecord | undefined;
}

/** Throws FlowError 1419 (mappingInvalid) or 1425 (mappingSchemaMismatch); returns the document to store. */
export async function prepareMappingSet(
  store: MetadataStore,
  scope: Scope,
  body: unknown,
): Promise<PreparedMappingSet> {
  const reading = readMappingSet(body);
  if (reading.problems.length > 0) throw mappingInvalid(reading.problems);
  let dataset: DatasetRecord | undefined;
  const problems: Problem[] = [];
  if (reading.dataSetId !== undefined) {
    dataset = await getDataset(store, scope, reading.dataSetId);
    if (!dataset) {
      throw mappingInvalid([{ pointer: "/dataSetId", message: `names no dataset in this sandbox`, severity: "error" }]);
    }
    if (reading.schemaId !== undefined && reading.schemaId !== dataset.schemaRef.id) {
      throw new FlowError(
        "mappingSchemaMismatch",
        `The mapping set names schema ${reading.schemaId}, but dataset ${dataset.id} has schema ${dataset.schemaRef.id}.`,
        { mappingSchema: reading.schemaId, datasetSchema: dataset.schemaRef.id, dataSetId: dataset.id },
      );
    }
  } else if (reading.schemaId !== undefined) {
    dataset = await findDatasetBySchemaId(store, scope, reading.schemaId);
    if (!dataset) {
      const pointer = (body as JsonObject).xdmSchema === undefined ? "/outputSchema/schemaRef/id" : "/xdmSchema";
      throw mappingInvalid([
        { pointer, message: "names no dataset's schemaRef.id in this sandbox", severity: "error" },
      ]);
    }
  }
  problems.push(...analyseEntries(reading.entries, dataset?.schema).problems);
  if (problems.length > 0) throw mappingInvalid(problems);
  const source = body as JsonObject;
  const doc: JsonObject = {};
  for (const field of keptFields) if (source[field] !== undefined && source[field] !== null) doc[field] = source[field];
  if (dataset && doc.xdmSchema === undefined) doc.xdmSchema = dataset.schemaRef.id;
  return { doc, dataset };
}
