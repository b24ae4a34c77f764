/** Helpers shared by the specs tests: copies of the members fixture and report queries. */

import { membersSpec } from "../../test/support/specs.ts";
import type { Problem } from "../errors.ts";
import type { LintReport } from "./problems.ts";

type Json = Record<string, unknown>;

/** A deep copy of the members fixture, as a body arrives after JSON.parse. */
export function members(overrides: Json = {}): Json {
  return JSON.parse(JSON.stringify(membersSpec(overrides))) as Json;
}

export function attributesOf(spec: Json): Json {
  return (spec.sourceSpec as { attributes: Json }).attributes;
}

export function errors(report: LintReport): Problem[] {
  return report.problems.filter((p) => p.severity === "error");
}

export function warnings(report: LintReport): Problem[] {
  return report.problems.filter((p) => p.severity === "warning");
}

export function errorPointers(report: LintReport): string[] {
  return errors(report).map((p) => p.pointer);
}

/** The problems at one pointer (any severity). */
export function at(report: LintReport, pointer: string): Problem[] {
  return report.problems.filter((p) => p.pointer === pointer);
}
