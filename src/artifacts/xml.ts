/**
 * A small, strict, non-validating XML 1.0 parser (with Namespaces in XML) for catalog icons. It
 * reads only: nothing is fetched, no entity is expanded beyond the five predefined ones and
 * character references, and a DOCTYPE is skipped and reported, never processed. It stops at the
 * first well-formedness error, returning what it built so far so that later checks can still run.
 */

export interface XmlPosition {
  readonly line: number;
  readonly column: number;
}

export interface XmlAttribute extends XmlPosition {
  /** The qualified name as written, e.g. `xlink:href`. */
  readonly name: string;
  readonly prefix: string | undefined;
  readonly local: string;
  /** The namespace URI the prefix resolves to; unprefixed attributes have none. */
  readonly namespace: string | undefined;
  /** The value with character and entity references replaced. */
  readonly value: string;
}

export interface XmlElement extends XmlPosition {
  readonly name: string;
  readonly prefix: string | undefined;
  readonly local: string;
  readonly namespace: string | undefined;
  readonly attributes: XmlAttribute[];
  readonly children: XmlElement[];
  /** Direct text and CDATA content, concatenated. */
  text: string;
}

export interface XmlInstruction extends XmlPosition {
  readonly target: string;
  readonly data: string;
}

export interface XmlDoctype extends XmlPosition {
  readonly declaresEntities: boolean;
  readonly externalId: boolean;
}

export interface XmlError extends XmlPosition {
  readonly message: string;
}

export interface XmlDocument {
  readonly root: XmlElement | undefined;
  readonly doctype: XmlDoctype | undefined;
  readonly instructions: readonly XmlInstruction[];
  readonly declaredEncoding: string | undefined;
  /** The first well-formedness error, if any (parsing stops there). */
  readonly error: XmlError | undefined;
}

export const xmlNamespace = "http://www.w3.org/XML/1998/namespace";
export const xmlnsNamespace = "http://www.w3.org/2000/xmlns/";

const nameStart =
  ":A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D" +
  "\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
const nameChar = `${nameStart}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const namePattern = new RegExp(`[${nameStart}][${nameChar}]*`, "uy");
const invalidChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const whitespace = /[ \t\r\n]/;
const predefinedEntities: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

interface Scope {
  readonly prefixes: ReadonlyMap<string, string>;
  readonly defaultNamespace: string | undefined;
}

interface RawAttribute {
  readonly name: string;
  readonly value: string;
  readonly index: number;
}

/** Parses `text` (already decoded); never throws. */
export function parseXml(text: string): XmlDocument {
  return new Parser(text).parse();
}

class Parser {
  private i = 0;
  private root: XmlElement | undefined;
  private doctype: XmlDoctype | undefined;
  private declaredEncoding: string | undefined;
  private readonly instructions: XmlInstruction[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(private readonly s: string) {
    for (let k = 0; k < s.length; k += 1) if (s.charCodeAt(k) === 10) this.lineStarts.push(k + 1);
  }

  parse(): XmlDocument {
    let error: XmlError | undefined;
    try {
      this.document();
    } catch (caught) {
      if (!(caught instanceof XmlSyntaxError)) throw caught;
      error = { ...this.position(caught.index), message: caught.message };
    }
    return {
      root: this.root,
      doctype: this.doctype,
      instructions: this.instructions,
      declaredEncoding: this.declaredEncoding,
      error,
    };
  }

  position(index: number): XmlPosition {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= index) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: index - (this.lineStarts[low] as number) + 1 };
  }

  private fail(message: string, index = this.i): never {
    throw new XmlSyntaxError(message, index);
  }

  private startsWith(token: string): boolean {
    return this.s.startsWith(token, this.i);
  }

  private expect(token: string, what: string): void {
    if (!this.startsWith(token)) this.fail(`expected ${what}`);
    this.i += token.length;
  }

  private skipSpace(): boolean {
    const start = this.i;
    while (this.i < this.s.length && whitespace.test(this.s[this.i] as string)) this.i += 1;
    return this.i > start;
  }

  private name(what: string): string {
    namePattern.lastIndex = this.i;
    const match = namePattern.exec(this.s);
    if (!match) this.fail(`expected ${what}`);
    this.i += match[0].length;
    return match[0];
  }

  private document(): void {
    const bad = invalidChar.exec(this.s);
    if (bad) {
      const code = bad[0].codePointAt(0) ?? 0;
      this.fail(`character U+${code.toString(16).toUpperCase().padStart(4, "0")} is not allowed in XML`, bad.index);
    }
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    if (/^<\?xml[ \t\r\n]/.test(this.s.slice(this.i, this.i + 6))) this.xmlDeclaration();
    this.misc(true);
    if (this.i >= this.s.length) this.fail("the document has no root element");
    if (!this.startsWith("<")) this.fail("text is not allowed before the root element");
    this.root = this.element(undefined);
    this.misc(false);
    if (this.i < this.s.length) {
      this.fail(
        this.startsWith("<") ? "only one root element is allowed" : "text is not allowed after the root element",
      );
    }
  }

  private xmlDeclaration(): void {
    const start = this.i;
    const end = this.s.indexOf("?>", this.i);
    if (end < 0) this.fail("the XML declaration is not closed with ?>");
    const body = this.s.slice(this.i + 5, end);
    const pseudo =
      /^\s+version\s*=\s*(["'])1\.\d+\1(\s+encoding\s*=\s*(["'])([A-Za-z][\w.-]*)\3)?(\s+standalone\s*=\s*(["'])(yes|no)\6)?\s*$/;
    const match = pseudo.exec(body);
    if (!match) this.fail('malformed XML declaration (expected <?xml version="1.0" encoding="UTF-8"?>)', start);
    this.declaredEncoding = match[4];
    this.i = end + 2;
  }

  /** Whitespace, comments and processing instructions outside the root (and the DOCTYPE before it). */
  private misc(beforeRoot: boolean): void {
    for (;;) {
      this.skipSpace();
      if (this.startsWith("<!--")) this.comment();
      else if (this.startsWith("<?")) this.instruction();
      else if (this.startsWith("<!DOCTYPE")) {
        if (!beforeRoot) this.fail("a DOCTYPE is not allowed after the root element");
        if (this.doctype) this.fail("only one DOCTYPE is allowed");
        this.doctypeDeclaration();
      } else if (this.startsWith("<!")) this.fail("unexpected markup declaration");
      else return;
    }
  }

  private comment(): void {
    const start = this.i;
    const end = this.s.indexOf("--", this.i + 4);
    if (end < 0) this.fail("the comment is never closed with -->", start);
    if (this.s[end + 2] !== ">") this.fail('"--" is not allowed inside a comment', end);
    this.i = end + 3;
  }

  private instruction(): void {
    const start = this.i;
    this.i += 2;
    const target = this.name("a processing instruction target after <?");
    if (target.toLowerCase() === "xml") {
      this.fail("the XML declaration is only allowed at the very start of the file", start);
    }
    const end = this.s.indexOf("?>", this.i);
    if (end < 0) this.fail("the processing instruction is never closed with ?>", start);
    if (end > this.i && !this.skipSpace()) this.fail("expected whitespace after the processing instruction target");
    this.instructions.push({ ...this.position(start), target, data: this.s.slice(this.i, end).trim() });
    this.i = end + 2;
  }

  /** Skips a DOCTYPE (and its internal subset) without processing it, noting what it declares. */
  private doctypeDeclaration(): void {
    const start = this.i;
    this.i += "<!DOCTYPE".length;
    let inSubset = false;
    let declaresEntities = false;
    let externalId = false;
    while (this.i < this.s.length) {
      const c = this.s[this.i] as string;
      if (c === '"' || c === "'") {
        const close = this.s.indexOf(c, this.i + 1);
        if (close < 0) break;
        this.i = close + 1;
      } else if (inSubset && this.startsWith("<!--")) {
        this.comment();
      } else if (inSubset && this.startsWith("<!ENTITY")) {
        declaresEntities = true;
        this.i += 8;
      } else if (!inSubset && /^(SYSTEM|PUBLIC)\b/.test(this.s.slice(this.i, this.i + 7))) {
        externalId = true;
        this.i += 6;
      } else if (c === "[" && !inSubset) {
        inSubset = true;
        this.i += 1;
      } else if (c === "]" && inSubset) {
        inSubset = false;
        this.i += 1;
      } else if (c === ">" && !inSubset) {
        this.i += 1;
        this.doctype = { ...this.position(start), declaresEntities, externalId };
        return;
      } else {
        this.i += 1;
      }
    }
    this.fail("the DOCTYPE is never closed", start);
  }

  private element(parentScope: Scope | undefined): XmlElement {
    const stack: { element: XmlElement; scope: Scope; index: number }[] = [];
    let top: XmlElement | undefined;
    let scope = parentScope;
    const open = (): XmlElement => {
      const index = this.i;
      this.i += 1;
      const name = this.name("an element name after <");
      const raw = this.attributes();
      const selfClosing = this.startsWith("/>");
      if (selfClosing) this.i += 2;
      else this.expect(">", `">" or "/>" to end the start tag of <${name}>`);
      const newScope = this.declareNamespaces(raw, scope);
      const element = this.resolveElement(name, raw, newScope, index);
      const parent = stack.at(-1)?.element;
      if (parent) parent.children.push(element);
      else {
        top = element;
        // Kept at once, so the checks after a syntax error still see what was parsed.
        this.root = element;
      }
      if (!selfClosing) {
        stack.push({ element, scope: newScope, index });
        scope = newScope;
      }
      return element;
    };
    open();
    while (stack.length > 0) {
      const current = stack.at(-1) as { element: XmlElement; scope: Scope; index: number };
      if (this.i >= this.s.length) {
        const at = this.position(current.index);
        this.fail(`<${current.element.name}> opened at ${at.line}:${at.column} is never closed`);
      }
      if (this.startsWith("</")) {
        const closeIndex = this.i;
        this.i += 2;
        const name = this.name("an element name after </");
        this.skipSpace();
        this.expect(">", `">" to end </${name}`);
        if (name !== current.element.name) {
          const at = this.position(current.index);
          this.fail(
            `</${name}> does not match <${current.element.name}> opened at ${at.line}:${at.column}`,
            closeIndex,
          );
        }
        stack.pop();
        scope = stack.at(-1)?.scope ?? parentScope;
      } else if (this.startsWith("<!--")) this.comment();
      else if (this.startsWith("<![CDATA[")) {
        const end = this.s.indexOf("]]>", this.i + 9);
        if (end < 0) this.fail("the CDATA section is never closed with ]]>");
        current.element.text += this.s.slice(this.i + 9, end);
        this.i = end + 3;
      } else if (this.startsWith("<?")) this.instruction();
      else if (this.startsWith("<!DOCTYPE")) this.fail("a DOCTYPE is not allowed inside an element");
      else if (this.startsWith("<!")) this.fail("unexpected markup declaration inside an element");
      else if (this.startsWith("<")) open();
      else current.element.text += this.characterData();
    }
    return top as XmlElement;
  }

  private characterData(): string {
    let out = "";
    while (this.i < this.s.length) {
      const c = this.s[this.i] as string;
      if (c === "<") break;
      if (c === "&") out += this.reference();
      else {
        if (c === "]" && this.startsWith("]]>")) this.fail('"]]>" is not allowed in text');
        out += c;
        this.i += 1;
      }
    }
    return out;
  }

  private reference(): string {
    const start = this.i;
    const end = this.s.indexOf(";", this.i);
    const body = end < 0 ? "" : this.s.slice(this.i + 1, end);
    let value: string | undefined;
    if (/^#[0-9]+$/.test(body) || /^#x[0-9a-fA-F]+$/.test(body)) {
      const code = body[1] === "x" ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      const char = code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
      if (char === undefined || invalidChar.test(char)) this.fail(`&${body}; refers to a character not allowed in XML`);
      value = char;
    } else if (/^[A-Za-z_][\w.-]*$/.test(body)) {
      value = predefinedEntities[body];
      if (value === undefined) this.fail(`undefined entity &${body}; (only &lt; &gt; &amp; &quot; &apos; exist)`);
    } else {
      this.fail('"&" must start a reference such as &amp; or &#38;', start);
    }
    this.i = end + 1;
    return value;
  }

  private attributes(): RawAttribute[] {
    const list: RawAttribute[] = [];
    for (;;) {
      const spaced = this.skipSpace();
      if (this.startsWith(">") || this.startsWith("/>") || this.i >= this.s.length) return list;
      if (!spaced) this.fail("expected whitespace before the attribute");
      const index = this.i;
      const name = this.name("an attribute name");
      if (list.some((a) => a.name === name)) this.fail(`duplicate attribute ${name}`, index);
      this.skipSpace();
      this.expect("=", `"=" after the attribute ${name}`);
      this.skipSpace();
      const quote = this.s[this.i];
      if (quote !== '"' && quote !== "'") this.fail(`the value of ${name} must be quoted`);
      this.i += 1;
      let value = "";
      for (;;) {
        if (this.i >= this.s.length) this.fail(`the value of ${name} is never closed`, index);
        const c = this.s[this.i] as string;
        if (c === quote) break;
        if (c === "<") this.fail(`"<" is not allowed in the value of ${name}`);
        if (c === "&") value += this.reference();
        else {
          value += c === "\t" || c === "\n" || c === "\r" ? " " : c;
          this.i += 1;
        }
      }
      this.i += 1;
      list.push({ name, value, index });
    }
  }

  private splitName(name: string, index: number): { prefix: string | undefined; local: string } {
    const parts = name.split(":");
    if (parts.length === 1) return { prefix: undefined, local: name };
    if (parts.length > 2 || parts[0] === "" || parts[1] === "")
      this.fail(`${name} is not a valid qualified name`, index);
    return { prefix: parts[0], local: parts[1] as string };
  }

  private declareNamespaces(raw: readonly RawAttribute[], scope: Scope | undefined): Scope {
    const prefixes = new Map(scope?.prefixes ?? [["xml", xmlNamespace]]);
    let defaultNamespace = scope?.defaultNamespace;
    for (const attribute of raw) {
      if (attribute.name === "xmlns") defaultNamespace = attribute.value === "" ? undefined : attribute.value;
      else if (attribute.name.startsWith("xmlns:")) {
        const prefix = attribute.name.slice(6);
        if (attribute.value === "") this.fail(`${attribute.name} cannot be empty`, attribute.index);
        if (prefix === "xmlns" || (prefix === "xml") !== (attribute.value === xmlNamespace)) {
          this.fail(`${attribute.name} is a reserved namespace declaration`, attribute.index);
        }
        prefixes.set(prefix, attribute.value);
      }
    }
    return { prefixes, defaultNamespace };
  }

  private resolveElement(name: string, raw: readonly RawAttribute[], scope: Scope, index: number): XmlElement {
    const { prefix, local } = this.splitName(name, index);
    let namespace = scope.defaultNamespace;
    if (prefix !== undefined) {
      namespace = scope.prefixes.get(prefix);
      if (namespace === undefined) this.fail(`the prefix "${prefix}" of <${name}> is not declared`, index);
    }
    const attributes: XmlAttribute[] = [];
    const seen = new Set<string>();
    for (const attribute of raw) {
      const split = this.splitName(attribute.name, attribute.index);
      let attributeNamespace: string | undefined;
      if (split.prefix === "xmlns" || attribute.name === "xmlns") attributeNamespace = xmlnsNamespace;
      else if (split.prefix !== undefined) {
        attributeNamespace = scope.prefixes.get(split.prefix);
        if (attributeNamespace === undefined) {
          this.fail(`the prefix "${split.prefix}" of the attribute ${attribute.name} is not declared`, attribute.index);
        }
      }
      const expanded = `${attributeNamespace ?? ""} ${split.local}`;
      if (attributeNamespace !== xmlnsNamespace && seen.has(expanded)) {
        this.fail(`the attribute ${attribute.name} duplicates another in the same namespace`, attribute.index);
      }
      seen.add(expanded);
      attributes.push({
        ...this.position(attribute.index),
        name: attribute.name,
        prefix: split.prefix,
        local: split.local,
        namespace: attributeNamespace,
        value: attribute.value,
      });
    }
    return { ...this.position(index), name, prefix, local, namespace, attributes, children: [], text: "" };
  }
}
