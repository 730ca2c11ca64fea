/**
 * The ECharts option for a chart's data (pure: no ECharts import, so it is unit-tested and
 * stays out of the first chunk). Canvas, no animation past a few thousand points, LTTB
 * sampling on long lines and `large` scatter mode: 10,000 points per series stay smooth.
 */
import type { Schemas } from "@/lib/api";

type Series = Schemas["ChartSeries"];
/** The server's ChartData, its lists always present (the schema marks defaulted fields optional). */
export type ChartData = Schemas["ChartData"] & {
  series: Series[];
  axes: Schemas["ParallelAxis"][];
  lines: Schemas["ParallelLine"][];
  skipped: Schemas["Skipped"][];
};

export function withLists(data: Schemas["ChartData"]): ChartData {
  return { ...data, series: data.series ?? [], axes: data.axes ?? [], lines: data.lines ?? [], skipped: data.skipped ?? [] };
}
type Value = number | string | null;

/** Past this many points a chart draws without animation and with progressive rendering. */
export const MANY_POINTS = 2_000;

// Option objects are plain data; typed loosely here so this module needs no ECharts types.
export type Option = Record<string, unknown>;

function isNumber(value: Value): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** A value axis over these numbers, logarithmic when they are all positive and span 100x or more (learning rates). */
export function axisFor(values: readonly Value[], name: string): Option {
  if (values.length && values.every((v) => typeof v === "string")) {
    return { type: "category", name, nameLocation: "middle", nameGap: 28, data: [...new Set(values as string[])] };
  }
  const numbers = values.filter(isNumber);
  const positive = numbers.length > 1 && numbers.every((v) => v > 0);
  const spread = positive ? Math.max(...numbers) / Math.min(...numbers) : 0;
  return { type: positive && spread >= 100 ? "log" : "value", name, nameLocation: "middle", nameGap: 28, scale: true };
}

function base(data: ChartData, total: number): Option {
  const many = total > MANY_POINTS;
  return {
    animation: !many,
    backgroundColor: "transparent",
    title: data.definition.title ? { text: data.definition.title, left: "center", textStyle: { fontSize: 14 } } : undefined,
    legend: { type: "scroll", top: data.definition.title ? 28 : 4, left: "center" },
    grid: { left: 72, right: 32, top: data.definition.title ? 64 : 40, bottom: 56, containLabel: false },
    tooltip: { trigger: "item", confine: true },
  };
}

function pointsOf(series: Series): [Value, Value][] {
  return series.x.map((x, i) => [x ?? null, series.y[i] ?? null]);
}

export function chartOption(data: ChartData): Option {
  const total = data.points;
  const { kind, x, y } = data.definition;
  const option = base(data, total);
  if (kind === "parallel") {
    return {
      ...option,
      legend: undefined,
      grid: undefined,
      parallelAxis: data.axes.map((axis, dim) =>
        axis.type === "category"
          ? { dim, name: axis.name, type: "category", data: axis.categories }
          : { dim, name: axis.name, type: "value", scale: true },
      ),
      parallel: { left: 64, right: 140, top: data.definition.title ? 64 : 48, bottom: 40 },
      visualMap: numericRange(data)
        ? { type: "continuous", dimension: data.axes.length - 1, ...numericRange(data), right: 8, bottom: 40, calculable: true, precision: 3, text: [data.definition.y, ""] }
        : undefined,
      series: [{ type: "parallel", name: y, lineStyle: { width: 2, opacity: 0.7 }, data: data.lines.map((line) => line.values) }],
    };
  }
  if (kind === "bar") {
    const categories = [...new Set(data.series.flatMap((s) => s.x.map((c) => String(c ?? "none"))))];
    return {
      ...option,
      tooltip: { trigger: "axis", confine: true },
      xAxis: { type: "category", data: categories, name: x || "metric", nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "value", name: y || "", nameLocation: "middle", nameGap: 48, scale: false },
      series: data.series.map((s) => {
        const byCategory = new Map(s.x.map((c, i) => [String(c ?? "none"), s.y[i] ?? null]));
        return { type: "bar", name: s.name, data: categories.map((c) => byCategory.get(c) ?? null) };
      }),
    };
  }
  if (kind === "series") {
    const xs = data.series.flatMap((s) => s.x);
    return {
      ...option,
      tooltip: { trigger: "axis", confine: true },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }],
      xAxis: { ...axisFor(xs.slice(0, 1000), x || "row"), type: xs.some((v) => typeof v === "string") ? "category" : "value" },
      yAxis: { type: "value", name: y, nameLocation: "middle", nameGap: 48, scale: true },
      series: data.series.map((s) => ({
        type: "line",
        name: s.name,
        showSymbol: false,
        sampling: "lttb",
        progressive: total > MANY_POINTS ? 5_000 : 0,
        lineStyle: { width: 1.5 },
        data: pointsOf(s),
      })),
      grid: { ...(option.grid as Option), bottom: 64 },
    };
  }
  // scatter and line: a metric against a config field, one point per experiment
  const xs = data.series.flatMap((s) => s.x);
  return {
    ...option,
    xAxis: axisFor(xs, x),
    yAxis: { type: "value", name: y, nameLocation: "middle", nameGap: 48, scale: true },
    series: data.series.map((s) => ({
      type: kind === "line" ? "line" : "scatter",
      name: s.name,
      symbolSize: kind === "line" ? 6 : 10,
      large: s.x.length > MANY_POINTS,
      data: s.x.map((value, i) => ({ value: [value, s.y[i]], hash: s.hashes?.[i] })),
    })),
  };
}

function numericRange(data: ChartData): { min: number; max: number } | null {
  const values = data.lines.map((line) => line.values[line.values.length - 1] ?? null).filter(isNumber);
  if (!values.length) return null;
  const min = Math.min(...values);
  const max = Math.max(...values);
  return min === max ? { min: min - 1, max: max + 1 } : { min, max };
}
