import { describe, expect, it } from "vitest";
import { changedValues, type FormField, initialValues, walk } from "./form";

const field = (path: string, extra: Partial<FormField> = {}): FormField => ({
  path, name: path.split(".").pop() ?? path, kind: "string", annotation: "str", fields: [], ...extra,
}) as FormField;

const FIELDS: FormField[] = [
  field("data", { kind: "config", fields: [field("data.name", { value: "toy" }), field("data.rows", { kind: "integer", value: "5" })] }),
  field("lr", { kind: "number", value: "0.01" }),
  field("blob", { editable: false, value: null }),
];

describe("the launch form", () => {
  it("walks groups before their fields", () => {
    expect(walk(FIELDS).map((f) => f.path)).toEqual(["data", "data.name", "data.rows", "lr", "blob"]);
  });
  it("opens with the base experiment's values, and sends only what changed", () => {
    const values = initialValues(FIELDS);
    expect(values).toEqual({ "data.name": "toy", "data.rows": "5", lr: "0.01" });
    expect(changedValues(FIELDS, { ...values, lr: "3e-4" })).toEqual({ lr: "3e-4" });
    expect(changedValues(FIELDS, values)).toEqual({});
  });
});
