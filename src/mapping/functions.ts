/**
 * The functions an EXPRESSION mapping may call. Each takes evaluated argument values and returns
 * a value, or throws ConversionError with a short problem. null in means null out, except where
 * noted (concat skips nulls, coalesce picks the first non-null, now takes nothing).
 */
import {
  ConversionError,
  type EpochUnit,
  kindOf,
  toBool,
  toDateTime,
  toFloat,
  toInteger,
  toText,
  type Value,
} from "./values.ts";

export interface EvaluationContext {
  readonly now: () => Date;
}

export interface FunctionDefinition {
  readonly name: string;
  readonly minArgs: number;
  /** Infinity for variadic functions. */
  readonly maxArgs: number;
  readonly signature: string;
  readonly summary: string;
  readonly apply: (args: readonly Value[], context: EvaluationContext) => Value;
}

function textOp(operation: (text: string) => string) {
  return (args: readonly Value[]): Value => {
    const text = toText(args[0]);
    return text === null ? null : operation(text);
  };
}

const units: Readonly<Record<string, EpochUnit>> = { s: "s", seconds: "s", ms: "ms", milliseconds: "ms" };

export function epochUnit(value: Value): EpochUnit {
  const unit = typeof value === "string" ? units[value] : undefined;
  if (unit === undefined) throw new ConversionError(`unit must be "s" or "ms", got ${kindOf(value)}`);
  return unit;
}

const definitions: readonly FunctionDefinition[] = [
  {
    name: "lower",
    minArgs: 1,
    maxArgs: 1,
    signature: "lower(text)",
    summary: "lower case",
    apply: textOp((text) => text.toLowerCase()),
  },
  {
    name: "upper",
    minArgs: 1,
    maxArgs: 1,
    signature: "upper(text)",
    summary: "upper case",
    apply: textOp((text) => text.toUpperCase()),
  },
  {
    name: "trim",
    minArgs: 1,
    maxArgs: 1,
    signature: "trim(text)",
    summary: "without leading and trailing whitespace",
    apply: textOp((text) => text.trim()),
  },
  {
    name: "concat",
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    signature: "concat(value, …)",
    summary: "the arguments as text, joined; null arguments are skipped, all null gives null",
    apply: (args) => {
      let result: string | null = null;
      for (const arg of args) {
        const text = toText(arg);
        if (text !== null) result = result === null ? text : result + text;
      }
      return result;
    },
  },
  {
    name: "coalesce",
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    signature: "coalesce(value, …)",
    summary: "the first argument that is not null (an empty string counts as a value)",
    apply: (args) => {
      for (const arg of args) if (arg !== null && arg !== undefined) return arg;
      return null;
    },
  },
  {
    name: "to_string",
    minArgs: 1,
    maxArgs: 1,
    signature: "to_string(value)",
    summary: "text; numbers and booleans as JSON writes them, date-times in ISO 8601 UTC",
    apply: (args) => toText(args[0]),
  },
  {
    name: "to_integer",
    minArgs: 1,
    maxArgs: 1,
    signature: "to_integer(value)",
    summary: "an integer from a number, numeric text, a boolean (1/0) or a date-time (epoch ms); fractions fail",
    apply: (args) => toInteger(args[0]),
  },
  {
    name: "to_float",
    minArgs: 1,
    maxArgs: 1,
    signature: "to_float(value)",
    summary: "a number from a number, numeric text, a boolean (1/0) or a date-time (epoch ms)",
    apply: (args) => toFloat(args[0]),
  },
  {
    name: "to_bool",
    minArgs: 1,
    maxArgs: 1,
    signature: "to_bool(value)",
    summary: "a boolean from a boolean, 0/1, or text true/false, yes/no, 1/0 (any case)",
    apply: (args) => toBool(args[0]),
  },
  {
    name: "to_datetime",
    minArgs: 1,
    maxArgs: 2,
    signature: 'to_datetime(value[, "s" | "ms"])',
    summary:
      "a date-time from ISO 8601 text or epoch time (seconds below 1e11, else milliseconds, unless the unit says)",
    apply: (args) => toDateTime(args[0], args.length > 1 ? epochUnit(args[1]) : undefined),
  },
  {
    name: "now",
    minArgs: 0,
    maxArgs: 0,
    signature: "now()",
    summary: "the current date-time",
    apply: (_args, context) => context.now(),
  },
];

export const mappingFunctions: ReadonlyMap<string, FunctionDefinition> = new Map(definitions.map((d) => [d.name, d]));
