/** The launch form's state: the text of every editable field, and which of them the person changed. */
import type { Schemas } from "@/lib/api";

export type FormField = Schemas["FormField"];

/** Every field of the form, a nested config before its own fields. */
export function walk(fields: readonly FormField[]): FormField[] {
  return fields.flatMap((field) => [field, ...walk(field.fields ?? [])]);
}

/** The form as it opens: each editable field's value from the base experiment. */
export function initialValues(fields: readonly FormField[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of walk(fields)) {
    if (field.kind !== "config" && field.editable !== false && field.value != null) values[field.path] = field.value;
  }
  return values;
}

/** Only the fields whose text differs from the base experiment's (what the server is sent). */
export function changedValues(fields: readonly FormField[], values: Record<string, string>): Record<string, string> {
  const changed: Record<string, string> = {};
  for (const field of walk(fields)) {
    const text = values[field.path];
    if (field.kind !== "config" && text !== undefined && text !== field.value) changed[field.path] = text;
  }
  return changed;
}
