/** How the compare page names and shows things: a letter per experiment, cells of config values and metrics. */
import { formatValue } from "@/lib/utils";

/** `A`, `B`, ... `Z`, then `#27`: the column heading of the experiment at `index`. */
export function letter(index: number): string {
  return index < 26 ? String.fromCharCode(65 + index) : `#${index + 1}`;
}

/** A config value in a cell: a nested config as `Class(…)`, as `furu diff` shows it; an absent one as `—`. */
export function formatCell(value: unknown, absent: boolean): string {
  if (absent) return "—";
  if (value && typeof value === "object" && !Array.isArray(value) && typeof (value as Record<string, unknown>).__class__ === "string") {
    const fqn = String((value as Record<string, unknown>).__class__);
    return `${fqn.slice(fqn.lastIndexOf(".") + 1)}(…)`;
  }
  if (typeof value === "string" && value === "") return '""';
  return formatValue(value);
}

/** Whether experiment `index`'s cell differs from the first experiment's (the one the others are diffed against). */
export function differsFromFirst(values: readonly unknown[], absent: readonly boolean[], index: number): boolean {
  if (index === 0) return false;
  if (absent[index] !== absent[0]) return true;
  return JSON.stringify(values[index]) !== JSON.stringify(values[0]);
}

/** A metric in a cell: the number as JSON wrote it; `null` is what NaN and infinities become on the way. */
export function formatMetric(metrics: Record<string, number | null>, name: string): string {
  if (!(name in metrics)) return "";
  const value = metrics[name];
  return value === null || value === undefined ? "not finite" : String(value);
}
