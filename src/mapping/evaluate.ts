/**
 * The interpreter: an expression's AST becomes a tree of closures once, when a mapping is compiled,
 * so evaluating it per record is a few direct calls with no parsing or lookup. Unknown functions
 * and wrong arities are refused here, before any record is read.
 */
import { type Expression, ExpressionSyntaxError, parseExpression } from "./expression.ts";
import { type EvaluationContext, epochUnit, mappingFunctions } from "./functions.ts";
import { compileGetter } from "./path.ts";
import { ConversionError, preview, type Value } from "./values.ts";

export type Evaluator = (record: unknown) => Value;

/** A function failed on this record's values; `call` shows the call with the values it got. */
export class EvaluationFailure extends Error {
  override readonly name = "EvaluationFailure";
  constructor(
    readonly call: string,
    readonly problem: string,
  ) {
    super(`${call}: ${problem}`);
  }
}

function describeCall(name: string, args: readonly Value[]): string {
  return `${name}(${args.map((arg) => preview(arg)).join(", ")})`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function arityText(min: number, max: number): string {
  if (min === max) return plural(min, "argument");
  if (max === Number.POSITIVE_INFINITY) return `at least ${plural(min, "argument")}`;
  return `${min} to ${max} arguments`;
}

export function compileExpressionTree(expression: Expression, context: EvaluationContext): Evaluator {
  switch (expression.kind) {
    case "literal": {
      const value = expression.value;
      return () => value;
    }
    case "path":
      return compileGetter(expression.path);
    case "call": {
      const definition = mappingFunctions.get(expression.name);
      if (!definition) {
        throw new ExpressionSyntaxError(
          `unknown function ${expression.name}; known: ${[...mappingFunctions.keys()].join(", ")}`,
          expression.position,
        );
      }
      const count = expression.args.length;
      if (count < definition.minArgs || count > definition.maxArgs) {
        throw new ExpressionSyntaxError(
          `${definition.name} takes ${arityText(definition.minArgs, definition.maxArgs)}, got ${count}: ${definition.signature}`,
          expression.position,
        );
      }
      if (definition.name === "to_datetime" && expression.args[1]?.kind === "literal") {
        try {
          epochUnit(expression.args[1].value);
        } catch (error) {
          throw new ExpressionSyntaxError(`to_datetime: ${(error as Error).message}`, expression.args[1].position);
        }
      }
      const args = expression.args.map((arg) => compileExpressionTree(arg, context));
      const { name, apply } = definition;
      const run = (values: Value[]): Value => {
        try {
          return apply(values, context);
        } catch (error) {
          if (error instanceof ConversionError) throw new EvaluationFailure(describeCall(name, values), error.message);
          throw error;
        }
      };
      if (args.length === 0) return () => run([]);
      if (args.length === 1) {
        const [a] = args as [Evaluator];
        return (record) => run([a(record)]);
      }
      if (args.length === 2) {
        const [a, b] = args as [Evaluator, Evaluator];
        return (record) => run([a(record), b(record)]);
      }
      return (record) => {
        const values = new Array<Value>(args.length);
        for (let i = 0; i < args.length; i++) values[i] = (args[i] as Evaluator)(record);
        return run(values);
      };
    }
  }
}

/** Parses and compiles; throws ExpressionSyntaxError for anything that cannot run. */
export function compileExpression(text: string, context: EvaluationContext): Evaluator {
  return compileExpressionTree(parseExpression(text), context);
}
