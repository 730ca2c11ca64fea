import { describe, expect, it } from "vitest";
import { dataQuery, definitionOf, missingPart, searchOf, validateChartsSearch } from "./search";

describe("validateChartsSearch", () => {
  it("keeps a whole definition as it is", () => {
    const search = { kind: "parallel", file: "logs/metrics.json", y: "eval.acc", fields: "lr,data.name", filter: "class=Train lr>1e-3", title: "Sweep" };
    expect(validateChartsSearch(search)).toEqual(search);
  });

  it("drops what a hand-edited URL got wrong instead of failing the page", () => {
    expect(
      validateChartsSearch({ kind: "pie", file: "../etc/passwd", x: "a\u0000b", y: "val loss", fields: "lr,,lr,bad\nname", hashes: "XYZ,abc123", title: " " }),
    ).toEqual({ y: "val loss", fields: "lr", hashes: "abc123" });
    expect(validateChartsSearch({ file: "/abs.json" })).toEqual({});
    expect(validateChartsSearch({ file: "a//b.csv" })).toEqual({});
  });
});

describe("definitions and the URL", () => {
  it("round-trips a saved definition through the search params", () => {
    const definition = definitionOf({ kind: "bar", file: "per_class.csv", x: "class", y: "accuracy", hashes: "ab12,cd34" });
    expect(definition).toEqual({
      kind: "bar", file: "per_class.csv", x: "class", y: "accuracy", fields: [], group: "", filter: "", hashes: ["ab12", "cd34"], title: "",
    });
    expect(searchOf(definition)).toEqual({ kind: "bar", file: "per_class.csv", x: "class", y: "accuracy", hashes: "ab12,cd34" });
    expect(dataQuery(definition)).toEqual({ kind: "bar", file: "per_class.csv", x: "class", y: "accuracy", hashes: "ab12,cd34" });
  });

  it("says what a chart still needs", () => {
    expect(missingPart(definitionOf({}))).toBe("Pick a result file.");
    expect(missingPart(definitionOf({ file: "m.json" }))).toBe("Pick a metric (y).");
    expect(missingPart(definitionOf({ file: "m.json", y: "acc" }))).toBe("Pick a config field for x.");
    expect(missingPart(definitionOf({ kind: "parallel", file: "m.json", y: "acc" }))).toBe("Pick the config fields for the axes.");
    expect(missingPart(definitionOf({ kind: "bar", file: "m.csv", y: "acc" }))).toBe("Pick a category column and a metric, or metrics.");
    expect(missingPart(definitionOf({ kind: "series", file: "h.jsonl", y: "loss" }))).toBeNull();
  });
});
