import { describe, expect, it } from "vitest";
import { differsFromFirst, formatCell, formatMetric, letter } from "./compare";

describe("compare helpers", () => {
  it("names experiments by letter", () => {
    expect([0, 1, 25, 26].map(letter)).toEqual(["A", "B", "Z", "#27"]);
  });

  it("shows values as furu diff does", () => {
    expect(formatCell(0.001, false)).toBe("0.001");
    expect(formatCell("", false)).toBe('""');
    expect(formatCell(null, true)).toBe("—");
    expect(formatCell({ __class__: "lab.steps.Data", name: "d" }, false)).toBe("Data(…)");
    expect(formatCell([1, 2], false)).toBe("[1,2]");
    expect(formatCell(false, false)).toBe("false");
  });

  it("marks the cells that differ from the first experiment's", () => {
    expect(differsFromFirst([1, 1, 2], [false, false, false], 0)).toBe(false);
    expect(differsFromFirst([1, 1, 2], [false, false, false], 1)).toBe(false);
    expect(differsFromFirst([1, 1, 2], [false, false, false], 2)).toBe(true);
    expect(differsFromFirst([null, null], [false, true], 1)).toBe(true);
    expect(differsFromFirst([[1, 2], [1, 2]], [false, false], 1)).toBe(false);
  });

  it("shows metrics exactly, a missing one as blank", () => {
    expect(formatMetric({ "metrics.loss": 0.0182, "metrics.nan": null }, "metrics.loss")).toBe("0.0182");
    expect(formatMetric({ "metrics.nan": null }, "metrics.nan")).toBe("not finite");
    expect(formatMetric({}, "metrics.loss")).toBe("");
  });
});
