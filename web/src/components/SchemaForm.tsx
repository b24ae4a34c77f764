/**
 * A form generated from a spec's JSON Schema with @rjsf: password widgets for secrets, hidden
 * fields hidden, errors shown at their fields, validated by the console's eval-free validator.
 */
import Form from "@rjsf/core";
import type { RJSFSchema } from "@rjsf/utils";
import { forwardRef, useMemo } from "react";
import { formValidator } from "../lib/form-validator.ts";
import { formSchema, uiSchemaFor } from "../lib/forms.ts";

type Json = Record<string, unknown>;

export interface SchemaFormProps {
  /** The spec's schema (authSpec[].spec or sourceSpec.spec). */
  readonly schema: unknown;
  readonly formData: Json;
  onChange(data: Json): void;
  /** Enter in a field (the form's submit), after validation passed. */
  onSubmit?(data: Json): void;
  /** Unique per page: ids of the inputs start with it. */
  readonly idPrefix: string;
  readonly disabled?: boolean;
}

export type SchemaFormHandle = Form<Json, RJSFSchema>;

export const SchemaForm = forwardRef<SchemaFormHandle, SchemaFormProps>(function SchemaForm(props, ref) {
  const schema = useMemo(() => formSchema(props.schema), [props.schema]);
  const uiSchema = useMemo(() => uiSchemaFor(schema), [schema]);
  return (
    <Form<Json, RJSFSchema>
      ref={ref}
      className="schema-form"
      schema={schema}
      uiSchema={uiSchema}
      validator={formValidator}
      formData={props.formData}
      idPrefix={props.idPrefix}
      disabled={props.disabled}
      showErrorList={false}
      focusOnFirstError
      noHtml5Validate
      autoComplete="off"
      onChange={(event) => props.onChange((event.formData ?? {}) as Json)}
      onSubmit={(event) => props.onSubmit?.((event.formData ?? {}) as Json)}
    />
  );
});
