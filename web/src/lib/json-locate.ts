/**
 * Where each JSON Pointer of a JSON text is, so the playground can show a lint problem at its field:
 * a scanner over valid JSON that records, for every value, the line and column of its key (object
 * members) or of the value itself (array items and the root).
 */

export interface Location {
  readonly line: number;
  readonly column: number;
}

const escapeSegment = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

/** Pointer → location of every value in the text; empty when the text is not valid JSON. */
export function locatePointers(text: string): Map<string, Location> {
  const found = new Map<string, Location>();
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): Location => ({ line, column: i - lineStart + 1 });
  const skip = () => {
    while (i < text.length) {
      const c = text[i];
      if (c === "\n") {
        line += 1;
        lineStart = i + 1;
      } else if (c !== " " && c !== "\t" && c !== "\r" && c !== "\uFEFF") break;
      i += 1;
    }
  };
  const readString = (): string => {
    const start = i;
    i += 1;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i += 1;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (pointer: string, at: Location, depth: number): void => {
    if (depth > 200) throw new Error("too deep");
    found.set(pointer, at);
    const c = text[i];
    if (c === "{") {
      i += 1;
      skip();
      if (text[i] === "}") {
        i += 1;
        return;
      }
      for (;;) {
        skip();
        const keyAt = here();
        if (text[i] !== '"') throw new Error("key expected");
        const key = readString();
        skip();
        if (text[i] !== ":") throw new Error(": expected");
        i += 1;
        skip();
        value(`${pointer}/${escapeSegment(key)}`, keyAt, depth + 1);
        skip();
        if (text[i] === ",") {
          i += 1;
          continue;
        }
        if (text[i] === "}") {
          i += 1;
          return;
        }
        throw new Error(", or } expected");
      }
    }
    if (c === "[") {
      i += 1;
      skip();
      if (text[i] === "]") {
        i += 1;
        return;
      }
      for (let index = 0; ; index += 1) {
        skip();
        value(`${pointer}/${index}`, here(), depth + 1);
        skip();
        if (text[i] === ",") {
          i += 1;
          continue;
        }
        if (text[i] === "]") {
          i += 1;
          return;
        }
        throw new Error(", or ] expected");
      }
    }
    if (c === '"') {
      readString();
      return;
    }
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!literal) throw new Error("value expected");
    i += literal[0].length;
  };
  try {
    skip();
    value("", here(), 0);
  } catch {
    return new Map();
  }
  return found;
}

export interface Located extends Location {
  /** False when the pointer names something absent and an ancestor's place is given. */
  readonly exact: boolean;
  /** The pointer whose location this is. */
  readonly at: string;
}

/** The location of a pointer, else of its nearest existing ancestor (a missing field is reported at its parent). */
export function locate(pointer: string, locations: ReadonlyMap<string, Location>): Located | undefined {
  let current = pointer;
  for (;;) {
    const found = locations.get(current);
    if (found) return { ...found, exact: current === pointer, at: current };
    if (current === "") return undefined;
    current = current.slice(0, current.lastIndexOf("/"));
  }
}

/** The text's lines around a line (1-based), for a code frame. */
export function frame(text: string, line: number, context = 1): Array<{ line: number; text: string }> {
  const lines = text.split("\n");
  const from = Math.max(1, line - context);
  const to = Math.min(lines.length, line + context);
  const out: Array<{ line: number; text: string }> = [];
  for (let n = from; n <= to; n += 1) out.push({ line: n, text: lines[n - 1] ?? "" });
  return out;
}

/** The character offset of a line and column (1-based) in the text, to place a cursor there. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let n = 1; n < line; n += 1) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + column - 1);
}
