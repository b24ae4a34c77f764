/**
 * Compiling a mapping set against a dataset schema, once per run, into closures that turn one
 * source record into one dataset row. `apply` never throws: a record a mapping cannot convert
 * comes back as `{ok:false, reason}` and the run counts it as failed.
 */
import type { JsonSchema } from "../datasets/dataset-sink.ts";
import { FlowError } from "../errors.ts";
import type { JsonObject } from "../store/metadata-store.ts";
import { type Converter, converterFor, destinationType, propertiesOf } from "./destinations.ts";
import { EvaluationFailure, type Evaluator } from "./evaluate.ts";
import { type AnalysedEntry, analyseEntries, mappingInvalid, readMappingSet } from "./mapping-set.ts";
import { parsePath } from "./path.ts";
import { ConversionError, preview, type Value } from "./values.ts";

export type MappingOutcome =
  | { readonly ok: true; readonly row: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

export interface CompiledMapping {
  apply(record: Readonly<Record<string, unknown>>): MappingOutcome;
  /**
   * True when `apply` is the identity mapping's: every top-level property of the dataset schema
   * taken from the record's member of the same name, nothing else. A sink may then take records
   * it can vouch for as their JSON text (BatchWriter.writeJson).
   */
  readonly identity: boolean;
}

type Setter = (row: Record<string, unknown>, value: Value) => void;

interface Step {
  readonly destination: string;
  readonly evaluate: Evaluator;
  readonly convert: Converter;
  readonly set: Setter;
}

function setterFor(keys: readonly string[]): Setter {
  if (keys.length === 1) {
    const [key] = keys as [string];
    return (row, value) => {
      row[key] = value;
    };
  }
  const parents = keys.slice(0, -1);
  const last = keys[keys.length - 1] as string;
  return (row, value) => {
    let target = row;
    for (const key of parents) {
      // Own properties only: `row.constructor` is Object and `Object.prototype` its prototype, so a
      // destination `constructor.prototype.x` (a legal column path) would otherwise write into
      // Object.prototype of the whole process.
      let next = (Object.hasOwn(target, key) ? target[key] : undefined) as Record<string, unknown> | undefined;
      if (next === undefined) {
        next = {};
        target[key] = next;
      }
      target = next;
    }
    target[last] = value;
  };
}

function isObjectRecord(record: unknown): boolean {
  return typeof record === "object" && record !== null && !Array.isArray(record);
}

function failureReason(caught: unknown, step: Step, value: Value): string {
  if (caught instanceof EvaluationFailure)
    return `${caught.call} at destination ${step.destination}: ${caught.problem}`;
  if (caught instanceof ConversionError)
    return `${preview(value)} at destination ${step.destination}: ${caught.message}`;
  return `at destination ${step.destination}: ${caught instanceof Error ? caught.message : String(caught)}`;
}

function runSteps(steps: readonly Step[], identity: boolean): CompiledMapping {
  return {
    identity,
    apply(record) {
      if (!isObjectRecord(record)) return { ok: false, reason: "the record is not a JSON object" };
      const row: Record<string, unknown> = {};
      let index = 0;
      let value: Value;
      try {
        for (; index < steps.length; index++) {
          const step = steps[index] as Step;
          value = undefined;
          value = step.evaluate(record);
          if (value === null || value === undefined) continue;
          value = step.convert(value);
          if (value === null || value === undefined) continue;
          step.set(row, value);
        }
      } catch (caught) {
        return { ok: false, reason: failureReason(caught, steps[index] as Step, value) };
      }
      return { ok: true, row };
    },
  };
}

/**
 * Compiles a stored mapping set (either dialect) for a dataset schema. Throws FlowError
 * "mappingInvalid" (1419) for sources that do not compile or destinations the schema lacks, and
 * "mappingSchemaMismatch" (1425) when the set names a schema (`xdmSchema`) that is not this
 * dataset's (its schema's `$id`, which Inlet sets to the dataset's `schemaRef.id`).
 */
export function compileMapping(
  mappingSet: JsonObject,
  datasetSchema: JsonSchema,
  now: () => Date = () => new Date(),
): CompiledMapping {
  const reading = readMappingSet(mappingSet);
  if (reading.problems.length > 0) throw mappingInvalid(reading.problems);
  const schemaId = datasetSchema.$id;
  if (reading.schemaId !== undefined && typeof schemaId === "string" && reading.schemaId !== schemaId) {
    throw new FlowError(
      "mappingSchemaMismatch",
      `The mapping set maps to schema ${reading.schemaId}, but the target dataset's schema is ${schemaId}.`,
      { mappingSchema: reading.schemaId, datasetSchema: schemaId },
    );
  }
  const { analysed, problems } = analyseEntries(reading.entries, datasetSchema, { now });
  if (problems.length > 0) throw mappingInvalid(problems);
  return runSteps(
    analysed.map((entry) => ({
      destination: entry.destination,
      evaluate: entry.evaluate,
      convert: converterFor(entry.destinationType),
      set: setterFor(entry.destinationKeys),
    })),
    mapsEachPropertyByName(analysed, datasetSchema),
  );
}

/** Entries that say `source: x, destination: x` (ATTRIBUTE, top level) once for every schema property. */
function mapsEachPropertyByName(entries: readonly AnalysedEntry[], schema: JsonSchema): boolean {
  const names = Object.keys(propertiesOf(schema) ?? {}).filter((name) => name !== "__proto__");
  if (entries.length !== names.length) return false;
  const mapped = new Set<string>();
  for (const entry of entries) {
    const [key, ...deeper] = entry.destinationKeys;
    const source = parsePath(entry.source);
    const first = source?.[0];
    if (entry.sourceType !== "ATTRIBUTE" || key === undefined || deeper.length > 0 || source?.length !== 1)
      return false;
    if (first === undefined || !("key" in first) || first.key !== key) return false;
    mapped.add(key);
  }
  return names.every((name) => mapped.has(name));
}

/**
 * No mapping: each top-level property of the dataset schema takes the record's field of the same
 * name, converted to the property's type like a mapped value; a missing or null field is left out.
 */
export function identityMapping(datasetSchema: JsonSchema): CompiledMapping {
  const properties = propertiesOf(datasetSchema);
  if (!properties || Object.keys(properties).length === 0) {
    throw new FlowError("mappingInvalid", "The dataset schema has no properties to map records onto.");
  }
  return runSteps(
    Object.entries(properties)
      .filter(([name]) => name !== "__proto__")
      .map(([name, property]) => ({
        destination: name,
        evaluate: (record: unknown) =>
          Object.hasOwn(record as object, name) ? (record as Record<string, unknown>)[name] : undefined,
        convert: converterFor(destinationType(property)),
        set: setterFor([name]),
      })),
    true,
  );
}
