/**
 * The @rjsf validator of the console: @rjsf/validator-ajv8's error processing over an eval-free
 * JSON Schema interpreter (json-schema.ts). Ajv itself compiles schemas with `new Function`, which
 * the console's Content-Security-Policy (no 'unsafe-eval') forbids; the errors this validator
 * produces have Ajv's shape, so messages, field placement and custom validation behave as with
 * validator-ajv8.
 */
import type {
  CustomValidator,
  ErrorTransformer,
  RJSFSchema,
  UiSchema,
  ValidationData,
  ValidatorType,
} from "@rjsf/utils";
import processRawValidationErrors from "@rjsf/validator-ajv8/lib/processRawValidationErrors.js";
import type { ErrorObject } from "ajv";
import { type Schema, validateSchema } from "./json-schema.ts";

const junkOptionId = "_$junk_option_schema_id$_";

type FormData = Record<string, unknown>;

export class FormValidator implements ValidatorType<FormData, RJSFSchema> {
  rawValidation<Result = ErrorObject>(
    schema: RJSFSchema,
    formData?: FormData,
  ): { errors?: Result[]; validationError?: Error } {
    try {
      const errors = validateSchema(schema as Schema, formData ?? {});
      return { errors: errors.length > 0 ? (errors as unknown as Result[]) : undefined };
    } catch (error) {
      return { validationError: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  validateFormData(
    formData: FormData | undefined,
    schema: RJSFSchema,
    customValidate?: CustomValidator<FormData, RJSFSchema>,
    transformErrors?: ErrorTransformer<FormData, RJSFSchema>,
    uiSchema?: UiSchema<FormData, RJSFSchema>,
  ): ValidationData<FormData> {
    const raw = this.rawValidation<ErrorObject>(schema, formData);
    return processRawValidationErrors(this, raw, formData, schema, customValidate, transformErrors, uiSchema);
  }

  isValid(schema: RJSFSchema, formData: FormData | undefined, rootSchema: RJSFSchema): boolean {
    if ((schema as Record<string, unknown>).$id === junkOptionId) return false;
    try {
      return validateSchema(schema as Schema, formData, rootSchema as Schema).length === 0;
    } catch {
      return false;
    }
  }
}

export const formValidator = new FormValidator();
