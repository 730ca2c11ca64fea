/**
 * One chart on a canvas. ECharts is loaded on first use (its own chunk); the container says
 * when the chart has finished drawing (`data-rendered`) and how much it holds, for people
 * (the summary line) and for tests. A click on a point, a line or a bar opens that experiment.
 */
import { useNavigate } from "@tanstack/react-router";
import type { ECharts } from "echarts/core";
import { useEffect, useRef, useState } from "react";
import { currentTheme, type Theme } from "@/lib/theme";
import { type ChartData, chartOption } from "./options";

function useThemeClass(): Theme {
  const [theme, setTheme] = useState<Theme>(currentTheme);
  useEffect(() => {
    const observer = new MutationObserver(() => setTheme(currentTheme()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    return () => observer.disconnect();
  }, []);
  return theme;
}

/** `pending`: newer data is on its way (the chart shown is the previous one), so it is not "rendered" yet. */
export function ChartView({ data, pending = false }: { data: ChartData; pending?: boolean }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const latest = useRef(data);
  latest.current = data;
  const [ready, setReady] = useState(0);
  const [rendered, setRendered] = useState(false);
  const theme = useThemeClass();
  const navigate = useNavigate();

  useEffect(() => {
    let gone = false;
    let resize: ResizeObserver | null = null;
    void import("./echarts").then(({ init }) => {
      if (gone || !container.current) return;
      const made = init(container.current, theme === "dark" ? "dark" : undefined, { renderer: "canvas" });
      chart.current = made;
      made.on("finished", () => setRendered(true));
      made.on("click", (params) => {
        const shown = latest.current;
        const point = params.data as { hash?: string } | null;
        const hash =
          (point && typeof point === "object" && !Array.isArray(point) ? point.hash : undefined) ??
          (shown.definition.kind === "parallel" ? shown.lines[params.dataIndex]?.hash : shown.series[params.seriesIndex ?? -1]?.hash);
        if (hash) void navigate({ to: "/experiments/$hash", params: { hash } });
      });
      resize = new ResizeObserver(() => made.resize());
      resize.observe(container.current);
      setReady((n) => n + 1);
    });
    return () => {
      gone = true;
      resize?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, [theme, navigate]);

  useEffect(() => {
    if (!chart.current) return;
    setRendered(false);
    chart.current.setOption(chartOption(data), { notMerge: true });
  }, [data, ready]);

  return (
    <div
      ref={container}
      className="h-[480px] w-full"
      data-testid="chart-canvas"
      data-kind={data.definition.kind}
      data-series={data.definition.kind === "parallel" ? data.lines.length : data.series.length}
      data-points={data.points}
      data-axes={data.axes.length}
      data-rendered={rendered && !pending ? "true" : "false"}
    />
  );
}
