/**
 * Parses JSON text and, when it is not JSON, says where. Node 20's JSON.parse often names no
 * position ("Unexpected token '}', … is not valid JSON"), so a small scanner finds the offset of
 * the first mistake. The scanner keeps its own stack, so deeply nested input cannot overflow it.
 */

export type JsonText =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly message: string;
      readonly position: number;
      readonly line: number;
      readonly column: number;
    };

const whitespace = new Set([" ", "\t", "\n", "\r"]);

/** The offset of the first syntax error in `text`, or undefined when the text is valid JSON. */
export function jsonErrorPosition(text: string): number | undefined {
  let i = 0;
  const skip = () => {
    while (i < text.length && whitespace.has(text.charAt(i))) i++;
  };
  // Each frame is the container being read and what it expects next.
  type Expect = "value" | "key" | "colon" | "commaOrEnd" | "valueOrEnd" | "keyOrEnd";
  const stack: { kind: "{" | "["; expect: Expect }[] = [];
  let expect: Expect = "value";

  const literal = (word: string): boolean => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return true;
    }
    return false;
  };
  const string = (): boolean => {
    i++; // opening quote; on failure `i` is left at the offending character
    while (i < text.length) {
      const ch = text.charCodeAt(i);
      if (ch === 0x22) {
        i++;
        return true;
      }
      if (ch < 0x20) return false;
      if (ch === 0x5c) {
        const next = text.charAt(i + 1);
        if (next === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i += 2;
            return false;
          }
          i += 6;
        } else if ('"\\/bfnrt'.includes(next) && next !== "") i += 2;
        else {
          i += 1;
          return false;
        }
      } else i++;
    }
    return false;
  };
  const number = (): boolean => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) return false;
    i += match[0].length;
    return true;
  };
  const afterValue = () => {
    const top = stack[stack.length - 1];
    if (top) top.expect = "commaOrEnd";
    else expect = "commaOrEnd";
  };

  for (;;) {
    skip();
    const top = stack[stack.length - 1];
    const want = top ? top.expect : expect;
    if (i >= text.length) return top || want === "value" ? i : undefined;
    const ch = text.charAt(i);
    if (!top && want === "commaOrEnd") return i; // something after the document
    if (want === "value" || want === "valueOrEnd") {
      if (want === "valueOrEnd" && ch === "]") {
        stack.pop();
        i++;
        afterValue();
        continue;
      }
      if (ch === "{") {
        stack.push({ kind: "{", expect: "keyOrEnd" });
        i++;
        continue;
      }
      if (ch === "[") {
        stack.push({ kind: "[", expect: "valueOrEnd" });
        i++;
        continue;
      }
      const ok =
        ch === '"'
          ? string()
          : ch === "-" || (ch >= "0" && ch <= "9")
            ? number()
            : literal("true") || literal("false") || literal("null");
      if (!ok) return i;
      afterValue();
      continue;
    }
    if (!top) return i;
    if (want === "key" || want === "keyOrEnd") {
      if (want === "keyOrEnd" && ch === "}") {
        stack.pop();
        i++;
        afterValue();
        continue;
      }
      if (ch !== '"' || !string()) return i;
      top.expect = "colon";
      continue;
    }
    if (want === "colon") {
      if (ch !== ":") return i;
      i++;
      top.expect = "value";
      continue;
    }
    // commaOrEnd inside a container
    if (ch === ",") {
      i++;
      top.expect = top.kind === "{" ? "key" : "value";
      continue;
    }
    if ((top.kind === "{" && ch === "}") || (top.kind === "[" && ch === "]")) {
      stack.pop();
      i++;
      afterValue();
      continue;
    }
    return i;
  }
}

export function parseJsonText(text: string): JsonText {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const stated = /position (\d+)/.exec((error as Error).message)?.[1];
    const position = stated !== undefined ? Number(stated) : (jsonErrorPosition(body) ?? body.length);
    const before = body.slice(0, position);
    const line = before.split("\n").length;
    const column = position - before.lastIndexOf("\n");
    // V8 quotes the text around the mistake (`…, ..."…"... is not valid JSON`, or `"…" is not valid
    // JSON`). That text can be a password from a request body, so everything from the first double
    // quote on is dropped (V8's own words never use one); the position says where the mistake is.
    const reason = (error as Error).message.replace(/,?\s*(?:\.\.\.)?".*$/s, "").slice(0, 200) || "Not valid JSON";
    return { ok: false, message: reason, position, line, column };
  }
}
