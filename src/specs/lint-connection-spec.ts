/**
 * `lintConnectionSpec`: a JSON Schema pass (types, required fields) followed by semantic checks
 * of authSpec (§3), sourceSpec (§4, in lint-source-spec.ts), exploreSpec (§5), targetSpec and
 * categories (§8). Every problem is collected, none stops the others, and nothing the document
 * holds is ever evaluated: any JSON value gives a report, never an exception.
 */
import { type AuthEntry, checkCategory, checkSourceSpec } from "./lint-source-spec.ts";
import {
  declaredProperties,
  depthExceeds,
  describe,
  didYouMean,
  isObject,
  type Json,
  type LintReport,
  own,
  ownObject,
  type Path,
  ProblemList,
  quote,
  warnUnknownFields,
} from "./problems.ts";
import { checkConnectionSpecStructure, checkEmbeddedSchema } from "./schema-check.ts";
import { serverOwnedFields } from "./server-fields.ts";

const knownTopLevel = [
  ...serverOwnedFields,
  "name",
  "description",
  "type",
  "providerId",
  "version",
  "attributes",
  "authSpec",
  "sourceSpec",
  "exploreSpec",
  "targetSpec",
  "permissionsInfo",
];
const knownAttributes = ["category", "connectorName", "isSource", "documentationLink", "uiAttributes"];
const knownAuthEntry = ["name", "type", "spec", "description"];
const knownExplore = ["name", "type", "requestSpec", "responseSpec"];
const knownRestAttributes = ["headerParamName", "queryParamName"];

/** A whole spec never nests this deep; deeper input is refused before any other walk. */
export const maxDocumentDepth = 200;

/** Auth types the engine implements, keyed by their normalised spelling (spec §3, §10.11). */
const authTypes: Readonly<Record<string, string>> = {
  oauth2refreshcode: "OAuth2RefreshCode",
  basicauthentication: "BasicAuthentication",
  keybased: "KeyBased",
  apikey: "KeyBased",
};
const authTypeNames = ["OAuth2RefreshCode", "BasicAuthentication", "KeyBased"];

const normalise = (text: string) => text.replace(/[\s_-]/g, "").toLowerCase();

/** Property names that hold secrets; `accessTokenUrl` or `tokenType` do not end like this. */
const secretName = /(password|passwd|secret|token|key)\d*$/i;

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

type Kind = "rest" | "streaming" | "target";

export function lintConnectionSpec(doc: unknown): LintReport {
  const problems = new ProblemList();
  try {
    lintInto(doc, problems);
  } catch (error) {
    // A last guard: a bug in a check must not turn a lint into a crash.
    problems.error(
      [],
      `could not be checked completely (${(error as Error).message}); fix the problems above and lint again.`,
    );
  }
  return problems.report();
}

function kindOf(doc: Json): Kind {
  const type = own(doc, "type");
  if (own(doc, "targetSpec") !== undefined && own(doc, "sourceSpec") === undefined) return "target";
  if (typeof type === "string" && type.trim().toLowerCase() === "generic-streaming") return "streaming";
  return "rest";
}

function lintInto(doc: unknown, problems: ProblemList): void {
  if (!isObject(doc)) {
    problems.error(
      [],
      `A connection spec must be a JSON object, but this is ${describe(doc)}: send {"name": …, "authSpec": […], "sourceSpec": {…}, "exploreSpec": {…}}.`,
    );
    return;
  }
  const deep = depthExceeds(doc, maxDocumentDepth);
  if (deep) {
    problems.error(
      deep,
      `nests deeper than ${maxDocumentDepth} levels; no connection spec is that deep, so nothing else was checked.`,
    );
    return;
  }
  checkConnectionSpecStructure(doc, problems);
  warnUnknownFields(problems, doc, [], knownTopLevel, "a connection spec");

  const kind = kindOf(doc);
  const type = own(doc, "type");
  if (type === undefined && kind === "rest") {
    problems.warning(["type"], 'is missing: write "type": "generic-rest" for a batch REST source.');
  } else if (typeof type === "string" && kind === "rest" && type.trim().toLowerCase() !== "generic-rest") {
    problems.warning(
      ["type"],
      `${quote(type)} is not a type Inlet reads from: batch REST sources are "generic-rest" (streaming specs "generic-streaming"), and a target has a targetSpec.`,
    );
  }

  const attributes = ownObject(doc, "attributes");
  if (attributes) {
    warnUnknownFields(problems, attributes, ["attributes"], knownAttributes, "attributes");
    checkCategory(own(attributes, "category"), ["attributes", "category"], problems);
    const ui = ownObject(attributes, "uiAttributes");
    if (ui) checkCategory(own(ui, "category"), ["attributes", "uiAttributes", "category"], problems);
  }

  const auth = checkAuthSpecs(own(doc, "authSpec"), kind, problems);
  if (kind !== "target") {
    checkSourceSpec(own(doc, "sourceSpec"), { problems, auth, kind: kind === "streaming" ? "streaming" : "rest" });
  }
  checkTargetSpec(own(doc, "targetSpec"), problems);
  checkExploreSpec(own(doc, "exploreSpec"), kind, problems);
}

// ---------------------------------------------------------------- authSpec

function checkAuthSpecs(value: unknown, kind: Kind, problems: ProblemList): AuthEntry[] {
  const example = '{"name": "Basic Authentication", "type": "BasicAuthentication", "spec": {…}}';
  if (value === undefined) {
    if (kind === "rest") problems.error(["authSpec"], `is missing: add at least one entry such as ${example}.`);
    return [];
  }
  if (!Array.isArray(value)) return [];
  if (value.length === 0 && kind === "rest") {
    problems.error(
      ["authSpec"],
      `is empty: add at least one entry such as ${example} (only streaming specs have none).`,
    );
  }
  const entries: AuthEntry[] = [];
  const names = new Map<string, number>();
  const normalisedNames = new Map<string, number>();
  value.forEach((entry, index) => {
    if (!isObject(entry)) return;
    const path: Path = ["authSpec", index];
    warnUnknownFields(problems, entry, path, knownAuthEntry, "an authSpec entry");
    const name = own(entry, "name");
    if (typeof name === "string" && name !== "") {
      const first = names.get(name);
      const similar = normalisedNames.get(normalise(name));
      if (first !== undefined) {
        problems.error(
          [...path, "name"],
          `duplicates the name of /authSpec/${first}: base connections pick an entry by auth.specName, so give each entry its own name.`,
        );
      } else if (similar !== undefined) {
        problems.warning(
          [...path, "name"],
          `differs from /authSpec/${similar}'s name only in case, spaces or dashes; auth.specName matching ignores those, so rename one.`,
        );
      }
      if (first === undefined) names.set(name, index);
      if (similar === undefined) normalisedNames.set(normalise(name), index);
    }
    const spec = own(entry, "spec");
    checkEmbeddedSchema(spec, [...path, "spec"], problems, { describesObject: true });
    const type = own(entry, "type");
    const canonical = typeof type === "string" ? authTypes[normalise(type)] : undefined;
    if (typeof type === "string" && type !== "") {
      if (canonical === undefined) {
        problems.warning(
          [...path, "type"],
          `${quote(type)} is not an auth type Inlet's engine implements (${authTypeNames.join(", ")}): the spec is stored, but reads through it will fail${didYouMean(type, authTypeNames)}.`,
        );
      } else if (canonical !== type) {
        problems.warning([...path, "type"], `is read as "${canonical}"; write it that way.`);
      }
    }
    const specObject = isObject(spec) ? spec : undefined;
    if (specObject) checkAuthProperties(specObject, [...path, "spec"], canonical, problems);
    const required = own(specObject ?? {}, "required");
    const requiredNames = Array.isArray(required) ? required.filter((r): r is string => typeof r === "string") : [];
    entries.push({
      name: typeof name === "string" ? name : `authSpec ${index}`,
      properties: new Set([...declaredProperties(specObject), ...requiredNames]),
    });
  });
  return entries;
}

function checkAuthProperties(spec: Json, path: Path, type: string | undefined, problems: ProblemList): void {
  const properties = ownObject(spec, "properties") ?? {};
  const declared = new Set(Object.keys(properties));
  const requiredValue = own(spec, "required");
  const required = new Set(
    Array.isArray(requiredValue) ? requiredValue.filter((r): r is string => typeof r === "string") : [],
  );
  const propertiesPath: Path = [...path, "properties"];

  const need = (name: string, schema: string) => {
    if (declared.has(name)) {
      if (!required.has(name)) {
        problems.warning(
          [...path, "required"],
          `should list ${JSON.stringify(name)}: a base connection without it cannot authenticate.`,
        );
      }
      return;
    }
    problems.error(
      [...propertiesPath, name],
      `${type} needs a ${name} property: add ${JSON.stringify(name)}: ${schema} and list it in required.`,
    );
  };

  switch (type) {
    case "OAuth2RefreshCode":
      need("accessToken", '{"type": "string", "format": "password"}');
      if (declared.has("refreshToken") && !declared.has("accessTokenUrl")) {
        problems.warning(
          [...propertiesPath, "accessTokenUrl"],
          "is missing, so the access token can never be refreshed: declare accessTokenUrl (the token endpoint), or drop refreshToken.",
        );
      }
      if (declared.has("accessTokenUrl") && !declared.has("refreshToken")) {
        problems.warning(
          [...propertiesPath, "refreshToken"],
          'is missing, so accessTokenUrl is never used: declare "refreshToken": {"type": "string", "format": "password"}.',
        );
      }
      break;
    case "BasicAuthentication":
      need("username", '{"type": "string"}');
      need("password", '{"type": "string", "format": "password"}');
      break;
    case "KeyBased":
      need("authKey1", '{"type": "string", "format": "password", "restAttributes": {"headerParamName": "X-Api-Key"}}');
      break;
  }

  for (const name of declared) {
    const property = own(properties, name);
    if (!isObject(property)) continue;
    const at: Path = [...propertiesPath, name];
    if (secretName.test(name) && own(property, "format") !== "password") {
      problems.warning(
        [...at, "format"],
        `${quote(name, 40)} looks like a secret: add "format": "password" so Inlet masks it in responses and logs.`,
      );
    }
    const rest = own(property, "restAttributes");
    if (rest === undefined) continue;
    if (type !== "KeyBased") {
      problems.warning([...at, "restAttributes"], "is used only by KeyBased auth entries and is ignored here.");
      continue;
    }
    if (!isObject(rest)) {
      problems.error(
        [...at, "restAttributes"],
        `must be an object such as {"headerParamName": "X-Api-Key"} (found ${describe(rest)}).`,
      );
      continue;
    }
    for (const key of Object.keys(rest)) {
      const keyPath: Path = [...at, "restAttributes", key];
      const text = own(rest, key);
      if (!knownRestAttributes.includes(key)) {
        problems.warning(
          keyPath,
          `${quote(key, 40)} is not a restAttributes key Inlet uses (${knownRestAttributes.join(", ")}); the key is not sent through it${didYouMean(key, knownRestAttributes)}.`,
        );
      } else if (typeof text !== "string" || text.trim() === "") {
        problems.error(
          keyPath,
          `must name the ${key === "headerParamName" ? "header" : "query parameter"} that carries the key, e.g. "X-Api-Key".`,
        );
      } else if (key === "headerParamName" && !headerName.test(text)) {
        problems.error(
          keyPath,
          `${quote(text, 40)} is not a valid HTTP header name: use letters, digits and - (e.g. "X-Api-Key").`,
        );
      }
    }
  }
  for (const name of required) {
    if (declared.has(name) || name === "host") continue;
    problems.warning(
      [...path, "required"],
      `lists ${quote(name, 40)}, which properties does not declare: declare it so clients know its type and whether it is a secret.`,
    );
  }
}

// ---------------------------------------------------------------- targetSpec, exploreSpec

function checkTargetSpec(value: unknown, problems: ProblemList): void {
  if (!isObject(value)) return;
  warnUnknownFields(problems, value, ["targetSpec"], ["name", "spec"], "targetSpec");
  checkEmbeddedSchema(own(value, "spec"), ["targetSpec", "spec"], problems, { describesObject: true });
}

function checkExploreSpec(value: unknown, kind: Kind, problems: ProblemList): void {
  if (value === undefined) {
    if (kind === "rest") {
      problems.warning(
        ["exploreSpec"],
        'is missing: copy Adobe\'s boilerplate {"name": "Resource", "type": "Resource", "requestSpec": {…}, "responseSpec": {…}} (spec §5).',
      );
    }
    return;
  }
  if (!isObject(value)) return;
  warnUnknownFields(problems, value, ["exploreSpec"], knownExplore, "exploreSpec");
  const type = own(value, "type");
  const expected = kind === "streaming" ? "StreamingConnection" : "Resource";
  if (typeof type === "string" && kind !== "target" && type !== expected) {
    problems.warning(
      ["exploreSpec", "type"],
      `is ${quote(type)}; ${kind === "streaming" ? "streaming" : "REST"} sources use "${expected}".`,
    );
  }
  checkEmbeddedSchema(own(value, "requestSpec"), ["exploreSpec", "requestSpec"], problems);
  checkEmbeddedSchema(own(value, "responseSpec"), ["exploreSpec", "responseSpec"], problems);
}
