/**
 * `lintFlowSpec`: the shape of spec §1.3 (RestStorageToAEP), the embedded schemas that validate a
 * flow's scheduleParams, options and transformation params (each a draft-07 schema), and the
 * connection spec id lists (UUIDs, duplicates warned about).
 */

import {
  depthExceeds,
  describe,
  isObject,
  type LintReport,
  own,
  type Path,
  ProblemList,
  quote,
  warnUnknownFields,
} from "./problems.ts";
import { checkEmbeddedSchema, checkFlowSpecStructure } from "./schema-check.ts";
import { serverOwnedFields } from "./server-fields.ts";

const knownTopLevel = [
  ...serverOwnedFields,
  "name",
  "description",
  "providerId",
  "version",
  "sourceConnectionSpecIds",
  "targetConnectionSpecIds",
  "optionSpec",
  "transformationSpecs",
  "transformationSpec",
  "scheduleSpec",
  "attributes",
  "permissionsInfo",
];
const maxDepth = 200;

export function lintFlowSpec(doc: unknown): LintReport {
  const problems = new ProblemList();
  try {
    lintInto(doc, problems);
  } catch (error) {
    problems.error(
      [],
      `could not be checked completely (${(error as Error).message}); fix the problems above and lint again.`,
    );
  }
  return problems.report();
}

function lintInto(doc: unknown, problems: ProblemList): void {
  if (!isObject(doc)) {
    problems.error(
      [],
      `A flow spec must be a JSON object, but this is ${describe(doc)}: send the whole flow spec, e.g. as GET /flowSpecs/{id} returns it.`,
    );
    return;
  }
  const deep = depthExceeds(doc, maxDepth);
  if (deep) {
    problems.error(
      deep,
      `nests deeper than ${maxDepth} levels; no flow spec is that deep, so nothing else was checked.`,
    );
    return;
  }
  checkFlowSpecStructure(doc, problems);
  warnUnknownFields(problems, doc, [], knownTopLevel, "a flow spec");

  checkIds(own(doc, "sourceConnectionSpecIds"), "sourceConnectionSpecIds", problems);
  checkIds(own(doc, "targetConnectionSpecIds"), "targetConnectionSpecIds", problems);
  const targets = own(doc, "targetConnectionSpecIds");
  if (Array.isArray(targets) && targets.length === 0) {
    problems.warning(
      ["targetConnectionSpecIds"],
      'is empty, so no flow can write anywhere: add the Data Lake spec id "c604ff05-7f1a-43c0-8e18-33bf874cb11c".',
    );
  }

  const schedule = own(doc, "scheduleSpec");
  if (schedule === undefined) {
    problems.warning(
      ["scheduleSpec"],
      "is missing, so flows' scheduleParams are not validated: add a scheduleSpec with a spec (spec §1.3).",
    );
  } else if (isObject(schedule)) {
    checkEmbeddedSchema(own(schedule, "spec"), ["scheduleSpec", "spec"], problems, { describesObject: true });
  }
  const option = own(doc, "optionSpec");
  if (isObject(option))
    checkEmbeddedSchema(own(option, "spec"), ["optionSpec", "spec"], problems, { describesObject: true });

  const plural = own(doc, "transformationSpecs");
  const singular = own(doc, "transformationSpec");
  if (singular !== undefined) {
    problems.warning(
      ["transformationSpec"],
      plural === undefined
        ? 'is the request spelling in Adobe\'s docs; Inlet stores it as "transformationSpecs": write that.'
        : 'is ignored because "transformationSpecs" is also present: remove it.',
    );
  }
  const [list, key] = plural !== undefined ? [plural, "transformationSpecs"] : [singular, "transformationSpec"];
  if (Array.isArray(list)) {
    const names = new Map<string, number>();
    list.forEach((entry, index) => {
      if (!isObject(entry)) return;
      const path: Path = [key, index];
      checkEmbeddedSchema(own(entry, "spec"), [...path, "spec"], problems, { describesObject: true });
      const name = own(entry, "name");
      if (name === undefined) {
        problems.warning([...path, "name"], 'is missing: flows pick a transformation by name, e.g. "Mapping".');
      } else if (typeof name === "string") {
        const first = names.get(name);
        if (first !== undefined) {
          problems.error(
            [...path, "name"],
            `duplicates /${key}/${first}'s name: flows pick a transformation by name, so rename one.`,
          );
        } else names.set(name, index);
      }
    });
  }
}

function checkIds(value: unknown, key: string, problems: ProblemList): void {
  if (!Array.isArray(value)) return;
  const seen = new Map<string, number>();
  value.forEach((id, index) => {
    if (typeof id !== "string") return;
    const normalised = id.toLowerCase();
    const first = seen.get(normalised);
    if (first === undefined) seen.set(normalised, index);
    else problems.warning([key, index], `repeats ${quote(id, 40)} (already at index ${first}): remove the duplicate.`);
  });
}
