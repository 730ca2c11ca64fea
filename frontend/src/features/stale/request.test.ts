import { describe, expect, it } from "vitest";
import { initialForm, requestOf } from "./request";

const second = "bb".repeat(16);
const group = { hashes: ["aa".repeat(16), second], request: { filter: "class=lab.steps.Data" } };

describe("requestOf", () => {
  it("asks for all of the class to today's defaults, ignoring values typed for another choice", () => {
    const form = { ...initialForm(group), pairs: [{ field: "scale", value: "3" }] };
    expect(requestOf(group, form)).toEqual({
      filter: "class=lab.steps.Data", values: {}, rename: {}, drop: [], from_class: null, policy: "alias", cascade: true, overwrite: false,
    });
  });

  it("sets values (with spaces kept), renames and drops", () => {
    const form = {
      ...initialForm(group), choice: "set" as const, pairs: [{ field: " note ", value: "two words" }, { field: "", value: "ignored" }],
      rename: "lr=learning_rate  a=b=c", drop: " seed  extra ", policy: "copy" as const, cascade: false,
    };
    expect(requestOf(group, form)).toEqual({
      filter: "class=lab.steps.Data", values: { note: "two words" }, rename: { lr: "learning_rate", a: "b=c" },
      drop: ["seed", "extra"], from_class: null, policy: "copy", cascade: false, overwrite: false,
    });
  });

  it("takes one experiment by hash, or a filter", () => {
    expect(requestOf(group, { ...initialForm(group), choice: "one", one: second })).toMatchObject({ filter: second, values: {} });
    const filtered = requestOf(group, { ...initialForm(group), choice: "filter", filter: "  class=lab.steps.Data config.name=e ", pairs: [{ field: "scale", value: "2" }] });
    expect(filtered).toMatchObject({ filter: "class=lab.steps.Data config.name=e", values: { scale: "2" } });
  });

  it("says what is malformed instead of asking", () => {
    expect(requestOf(group, { ...initialForm(group), rename: "lr" })).toBe("--rename 'lr': expected OLD=NEW.");
    expect(requestOf(group, { ...initialForm(group), rename: "lr=" })).toBe("--rename 'lr=': expected OLD=NEW.");
    expect(requestOf(group, { ...initialForm(group), choice: "set" })).toBe("Give at least one FIELD and its VALUE to set.");
    expect(requestOf(group, { ...initialForm(group), choice: "filter", filter: "  " })).toMatch(/^Say what to migrate/);
  });

  it("migrates a moved class to today's name from the old one, one result by its hash", () => {
    const moved = { hashes: [second], request: { filter: "class=lab.steps.Dataset", from_class: "lab.steps.Data" } };
    expect(requestOf(moved, initialForm(moved))).toMatchObject({ filter: "class=lab.steps.Dataset", from_class: "lab.steps.Data" });
    expect(requestOf(moved, { ...initialForm(moved), choice: "one" })).toMatchObject({
      filter: `class=lab.steps.Dataset hash=${second}`, from_class: "lab.steps.Data",
    });
  });
});
