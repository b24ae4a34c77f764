/**
 * Forms from the JSON Schemas of connection specs (authSpec[].spec, sourceSpec.spec): the schema
 * @rjsf renders, the uiSchema that makes secrets password fields and hides `uiAttributes.hidden`
 * fields, and the clean-up of form data before it is sent.
 */
import type { RJSFSchema, UiSchema } from "@rjsf/utils";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Names the engine treats as secrets whatever the schema says (src/engine/auth). */
export const alwaysSecret = /^(password|clientSecret|accessToken|refreshToken|authKey\d+|apiKey|token|secret)$/i;

export function isSecretProperty(name: string, schema: unknown): boolean {
  return (isObject(schema) && schema.format === "password") || alwaysSecret.test(name);
}

export function isHiddenProperty(schema: unknown): boolean {
  return isObject(schema) && isObject(schema.uiAttributes) && schema.uiAttributes.hidden === true;
}

/**
 * The schema @rjsf renders: a copy in which a property listed in `required` but not declared (the
 * docs' template requires `host` without declaring it) becomes a text field, and `$schema` is
 * dropped (rjsf would look it up as a meta-schema).
 */
export function formSchema(schema: unknown): RJSFSchema {
  if (!isObject(schema)) return { type: "object", properties: {} };
  const { $schema: _ignored, ...rest } = schema;
  const copy: Json = { ...rest };
  if (copy.type === undefined) copy.type = "object";
  const properties: Json = isObject(copy.properties) ? { ...copy.properties } : {};
  for (const [name, property] of Object.entries(properties)) {
    if (isObject(property) && property.type === "object" && isObject(property.properties)) {
      properties[name] = formSchema(property);
    }
  }
  if (Array.isArray(copy.required)) {
    for (const name of copy.required) {
      if (typeof name === "string" && !Object.hasOwn(properties, name))
        properties[name] = { type: "string", title: name };
    }
  }
  copy.properties = properties;
  return copy as RJSFSchema;
}

/**
 * The uiSchema for a spec schema: password widgets for secrets (`format: password` and the names
 * the engine treats as secret), hidden widgets for `uiAttributes.hidden`, nested objects alike,
 * and no submit button (the console's pages have their own buttons).
 */
export function uiSchemaFor(schema: unknown, root = true): UiSchema {
  const ui: UiSchema = root ? { "ui:submitButtonOptions": { norender: true } } : {};
  if (!isObject(schema) || !isObject(schema.properties)) return ui;
  for (const [name, property] of Object.entries(schema.properties)) {
    if (isHiddenProperty(property)) {
      ui[name] = { "ui:widget": "hidden" };
    } else if (
      isSecretProperty(name, property) &&
      (!isObject(property) || property.type === undefined || property.type === "string")
    ) {
      ui[name] = { "ui:widget": "password", "ui:autocomplete": "new-password" };
    } else if (isObject(property) && property.type === "object" && isObject(property.properties)) {
      ui[name] = uiSchemaFor(property, false);
    } else if (
      isObject(property) &&
      property.type === "string" &&
      typeof property.format !== "string" &&
      /url$/i.test(name)
    ) {
      ui[name] = { "ui:inputType": "url" };
    }
  }
  return ui;
}

/** The names (dotted, for nested objects) of secret fields, e.g. to tell people they are not shown again. */
export function secretFieldNames(schema: unknown, prefix = ""): string[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  const out: string[] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    if (isSecretProperty(name, property)) out.push(`${prefix}${name}`);
    else if (isObject(property) && property.type === "object")
      out.push(...secretFieldNames(property, `${prefix}${name}.`));
  }
  return out;
}

/**
 * Form data as the API takes it: empty strings, undefined values and empty optional objects are
 * left out (rjsf keeps them as the user clears a field), at any depth.
 */
export function cleanFormData(data: unknown): Json {
  if (!isObject(data)) return {};
  const out: Json = {};
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined || value === null || value === "") continue;
    if (isObject(value)) {
      const inner = cleanFormData(value);
      if (Object.keys(inner).length > 0) out[key] = inner;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** True when the schema declares no fields at all (the form would be empty). */
export function hasNoFields(schema: unknown): boolean {
  return !isObject(schema) || !isObject(schema.properties) || Object.keys(schema.properties).length === 0;
}

export interface AuthOption {
  readonly name: string;
  readonly type: string;
  readonly description: string | undefined;
  readonly schema: Json;
}

/** The authSpec entries of a connection spec, as the auth-type picker shows them. */
export function authOptions(spec: unknown): AuthOption[] {
  if (!isObject(spec) || !Array.isArray(spec.authSpec)) return [];
  return spec.authSpec.filter(isObject).map((entry) => {
    const schema = isObject(entry.spec) ? entry.spec : {};
    return {
      name: String(entry.name ?? entry.type ?? "Authentication"),
      type: String(entry.type ?? ""),
      description: typeof schema.description === "string" ? schema.description : undefined,
      schema,
    };
  });
}

/** `sourceSpec.spec` (or the older nested `sourceSpec.attributes.spec`, spec §4.1). */
export function sourceParamsSchema(spec: unknown): Json | undefined {
  if (!isObject(spec) || !isObject(spec.sourceSpec)) return undefined;
  const sourceSpec = spec.sourceSpec;
  const attributes = isObject(sourceSpec.attributes) ? sourceSpec.attributes : {};
  const schema = sourceSpec.spec ?? attributes.spec;
  return isObject(schema) ? schema : undefined;
}
