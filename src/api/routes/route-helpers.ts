import type { FastifySchemaCompiler } from "fastify";
import { FlowError, type Problem } from "../../errors.ts";

export function notFound(type: string, id: string): FlowError {
  return new FlowError(
    "notFound",
    `The requested ${type} resource ${id} is not found. Verify the resource ID before trying again.`,
    { id, type },
  );
}

interface LintReport {
  readonly valid: boolean;
  readonly problems: readonly Problem[];
}

/**
 * A body validator that runs our linter instead of raw Ajv: the route's JSON Schema documents the
 * body in OpenAPI, and the linter reports every problem at once with pointers and plain sentences.
 */
export function lintValidator(lint: (doc: unknown) => LintReport, what: string): FastifySchemaCompiler<unknown> {
  return () => (data: unknown) => {
    if (data === undefined || data === null) return { error: new FlowError("emptyBody", `The ${what} body is empty.`) };
    const report = lint(data);
    if (report.valid) return { value: data };
    const errors = report.problems.filter((problem) => problem.severity === "error");
    return {
      error: new FlowError(
        "validationFailed",
        `The ${what} has ${errors.length} problem(s): ${errors.map((p) => `${p.pointer || "/"} ${p.message}`).join("; ")}`,
        { problems: report.problems },
      ),
    };
  };
}
