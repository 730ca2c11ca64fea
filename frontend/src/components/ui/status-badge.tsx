import { cn } from "@/lib/utils";

/** One color per furu status, the same on every page. */
export const STATUS_COLORS: Record<string, string> = {
  success: "bg-emerald-500",
  failed: "bg-red-500",
  running: "bg-sky-500",
  queued: "bg-violet-500",
  preempted: "bg-orange-500",
  crashed: "bg-rose-700",
  absent: "bg-zinc-400",
  damaged: "bg-amber-500",
  corrupt: "bg-fuchsia-600",
};

export const STATUSES = Object.keys(STATUS_COLORS);

export function StatusBadge({ status, className }: { status: string; className?: string }) {
  return (
    <span className={cn("inline-flex items-center gap-1.5 text-xs font-medium", className)} data-testid="status-badge" data-status={status}>
      <span className={cn("size-2 rounded-full", STATUS_COLORS[status] ?? "bg-zinc-400", status === "running" && "animate-pulse")} />
      {status}
    </span>
  );
}
