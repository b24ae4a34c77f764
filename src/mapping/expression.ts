/**
 * The mapping expression language: a tokenizer and a recursive-descent parser producing an AST.
 * Nothing here (or in the interpreter) ever hands text to JavaScript's evaluator; an expression
 * can only read fields and call the functions in ./functions.ts.
 *
 *   expression := call | literal | path
 *   call       := name "(" [ expression { "," expression } ] ")"
 *   literal    := string | number | "true" | "false" | "null"
 *   string     := '"' … '"' | "'" … "'"     (escapes: \\ \" \' \n \r \t \uXXXX)
 *   number     := [+-] digits [ "." digits ] [ ("e"|"E") [+-] digits ]
 *   path       := see ./path.ts (`member.email`, `results[0].id`)
 */
import { type FieldPath, parsePath } from "./path.ts";

export type Expression =
  | { readonly kind: "literal"; readonly value: string | number | boolean | null; readonly position: number }
  | { readonly kind: "path"; readonly path: FieldPath; readonly text: string; readonly position: number }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Expression[]; readonly position: number };

export const expressionLimits = { length: 65_536, depth: 64, arguments: 256 } as const;

export class ExpressionSyntaxError extends Error {
  override readonly name = "ExpressionSyntaxError";
  constructor(
    message: string,
    /** 0-based offset into the expression text. */
    readonly position: number,
  ) {
    super(message);
  }
}

type Token =
  | { readonly type: "(" | ")" | "," | "end"; readonly position: number }
  | { readonly type: "string"; readonly value: string; readonly position: number }
  | { readonly type: "word"; readonly text: string; readonly position: number };

const delimiters = new Set(["(", ")", ","]);
const wordEnd = /[\s(),"']/u;
const numberPattern = /^[+-]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const functionName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const escapes: Readonly<Record<string, string>> = { "\\": "\\", '"': '"', "'": "'", n: "\n", r: "\r", t: "\t" };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (/\s/u.test(char)) {
      i++;
      continue;
    }
    if (delimiters.has(char)) {
      tokens.push({ type: char as "(" | ")" | ",", position: i });
      i++;
      continue;
    }
    if (char === '"' || char === "'") {
      const start = i;
      let value = "";
      let chunkStart = ++i;
      for (;;) {
        if (i >= text.length) throw new ExpressionSyntaxError("unterminated string", start);
        const c = text[i];
        if (c === char) break;
        if (c !== "\\") {
          i++;
          continue;
        }
        value += text.slice(chunkStart, i);
        const next = text[i + 1];
        if (next === undefined) throw new ExpressionSyntaxError("unterminated string", start);
        if (next === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw new ExpressionSyntaxError("\\u needs four hex digits", i);
          value += String.fromCharCode(Number.parseInt(hex, 16));
          i += 6;
        } else {
          const escaped = escapes[next];
          if (escaped === undefined) throw new ExpressionSyntaxError(`unknown escape \\${next}`, i);
          value += escaped;
          i += 2;
        }
        chunkStart = i;
      }
      value += text.slice(chunkStart, i);
      tokens.push({ type: "string", value, position: start });
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && !wordEnd.test(text[i] as string)) i++;
    tokens.push({ type: "word", text: text.slice(start, i), position: start });
  }
  tokens.push({ type: "end", position: text.length });
  return tokens;
}

function describe(token: Token): string {
  switch (token.type) {
    case "end":
      return "the end of the expression";
    case "string":
      return "a string";
    case "word":
      return `"${token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text}"`;
    default:
      return `"${token.type}"`;
  }
}

class Parser {
  #index = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  #peek(offset = 0): Token {
    return this.tokens[Math.min(this.#index + offset, this.tokens.length - 1)] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (this.#index < this.tokens.length - 1) this.#index++;
    return token;
  }

  parseAll(): Expression {
    const expression = this.#expression(1);
    const rest = this.#peek();
    if (rest.type !== "end")
      throw new ExpressionSyntaxError(`unexpected ${describe(rest)} after a complete expression`, rest.position);
    return expression;
  }

  #expression(depth: number): Expression {
    if (depth > expressionLimits.depth) {
      throw new ExpressionSyntaxError(`calls nested more than ${expressionLimits.depth} deep`, this.#peek().position);
    }
    const token = this.#next();
    if (token.type === "string") return { kind: "literal", value: token.value, position: token.position };
    if (token.type !== "word")
      throw new ExpressionSyntaxError(`expected a value, found ${describe(token)}`, token.position);
    if (this.#peek().type === "(") return this.#call(token, depth);
    const { text, position } = token;
    if (text === "true" || text === "false") return { kind: "literal", value: text === "true", position };
    if (text === "null") return { kind: "literal", value: null, position };
    if (numberPattern.test(text)) {
      const value = Number(text);
      if (!Number.isFinite(value)) throw new ExpressionSyntaxError(`number ${text} is out of range`, position);
      return { kind: "literal", value, position };
    }
    const path = parsePath(text);
    if (!path) throw new ExpressionSyntaxError(`${describe(token)} is not a field path`, position);
    return { kind: "path", path, text, position };
  }

  #call(nameToken: Token & { type: "word" }, depth: number): Expression {
    const name = nameToken.text;
    if (!functionName.test(name))
      throw new ExpressionSyntaxError(`${describe(nameToken)} is not a function name`, nameToken.position);
    this.#next(); // "("
    const args: Expression[] = [];
    if (this.#peek().type === ")") {
      this.#next();
      return { kind: "call", name, args, position: nameToken.position };
    }
    for (;;) {
      if (args.length >= expressionLimits.arguments) {
        throw new ExpressionSyntaxError(`more than ${expressionLimits.arguments} arguments`, this.#peek().position);
      }
      args.push(this.#expression(depth + 1));
      const separator = this.#next();
      if (separator.type === ")") return { kind: "call", name, args, position: nameToken.position };
      if (separator.type !== ",") {
        throw new ExpressionSyntaxError(
          `expected "," or ")" in the call of ${name}, found ${describe(separator)}`,
          separator.position,
        );
      }
    }
  }
}

/** Parses an expression; throws ExpressionSyntaxError with the offset of the problem. */
export function parseExpression(text: string): Expression {
  if (typeof text !== "string" || text.trim() === "") throw new ExpressionSyntaxError("the expression is empty", 0);
  if (text.length > expressionLimits.length) {
    throw new ExpressionSyntaxError(`the expression is longer than ${expressionLimits.length} characters`, 0);
  }
  return new Parser(tokenize(text)).parseAll();
}
