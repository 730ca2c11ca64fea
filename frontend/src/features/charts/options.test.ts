import { describe, expect, it } from "vitest";
import { axisFor, chartOption, MANY_POINTS, withLists } from "./options";

const definition = { kind: "scatter" as const, file: "metrics.json", x: "lr", y: "accuracy", fields: [], group: "", filter: "", hashes: [], title: "" };

function data(kind: "scatter" | "bar" | "series" | "parallel", extra: Record<string, unknown>) {
  return withLists({ definition: { ...definition, kind }, runs: 2, plotted: 2, points: 2, truncated: false, python: "", ...extra });
}

describe("axisFor", () => {
  it("is logarithmic over positive numbers spanning 100x (learning rates), linear otherwise, categories for text", () => {
    expect(axisFor([0.001, 0.01, 0.1], "lr").type).toBe("log");
    expect(axisFor([1, 2, 3], "seed").type).toBe("value");
    expect(axisFor([-1, 1000], "x").type).toBe("value");
    expect(axisFor(["a", "b", "a"], "data.name")).toMatchObject({ type: "category", data: ["a", "b"] });
  });
});

describe("chartOption", () => {
  it("puts each experiment's point, with its hash, on a scatter", () => {
    const option = chartOption(data("scatter", { series: [{ name: "accuracy", x: [0.01, 0.1], y: [0.5, 0.6], hashes: ["aa", "bb"], points: 2 }] }));
    const series = option.series as { type: string; data: { value: unknown[]; hash: string }[] }[];
    expect(series[0]?.type).toBe("scatter");
    expect(series[0]?.data).toEqual([{ value: [0.01, 0.5], hash: "aa" }, { value: [0.1, 0.6], hash: "bb" }]);
  });

  it("lines categories up across runs on a bar chart", () => {
    const option = chartOption(data("bar", {
      series: [
        { name: "run 1", x: ["cat", "dog"], y: [0.9, 0.8], points: 2 },
        { name: "run 2", x: ["dog", "bird"], y: [0.7, 0.6], points: 2 },
      ],
    }));
    expect((option.xAxis as { data: string[] }).data).toEqual(["cat", "dog", "bird"]);
    expect((option.series as { data: unknown[] }[]).map((s) => s.data)).toEqual([[0.9, 0.8, null], [null, 0.7, 0.6]]);
  });

  it("draws long series without animation, sampled, progressively", () => {
    const x = Array.from({ length: 10_000 }, (_, i) => i);
    const option = chartOption(data("series", { points: 10_000, series: [{ name: "r", x, y: x.map((i) => 1 / (i + 1)), points: 10_000 }] }));
    expect(10_000 > MANY_POINTS).toBe(true);
    expect(option.animation).toBe(false);
    const [line] = option.series as { sampling: string; showSymbol: boolean; progressive: number; data: unknown[] }[];
    expect([line?.sampling, line?.showSymbol, line?.progressive, line?.data.length]).toEqual(["lttb", false, 5_000, 10_000]);
  });

  it("gives parallel coordinates one axis per field and colours by the metric", () => {
    const option = chartOption(data("parallel", {
      axes: [{ name: "lr", type: "value", categories: [] }, { name: "data", type: "category", categories: ["a", "b"] }, { name: "accuracy", type: "value", categories: [] }],
      lines: [{ hash: "aa", label: "1", values: [0.01, "a", 0.5] }, { hash: "bb", label: "2", values: [0.1, "b", 0.7] }],
    }));
    expect(option.parallelAxis).toEqual([
      { dim: 0, name: "lr", type: "value", scale: true },
      { dim: 1, name: "data", type: "category", data: ["a", "b"] },
      { dim: 2, name: "accuracy", type: "value", scale: true },
    ]);
    expect(option.visualMap).toMatchObject({ dimension: 2, min: 0.5, max: 0.7 });
  });
});
