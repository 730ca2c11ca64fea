/** The shell around every page: navigation, read-only/demo marks, auto-refresh and theme toggles. */
import { Link, Outlet } from "@tanstack/react-router";
import { Moon, RefreshCw, Sun } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Switch } from "@/components/ui/switch";
import { useAutoRefreshSetting, useCatalogEvents } from "@/lib/events";
import { useHealth } from "@/lib/queries";
import { useTheme } from "@/lib/theme";

const NAV = [
  { to: "/", label: "Overview", testId: "nav-overview" },
  { to: "/experiments", label: "Experiments", testId: "nav-experiments" },
  { to: "/dag", label: "DAG", testId: "nav-dag" },
  { to: "/stale", label: "Stale", testId: "nav-stale" },
  { to: "/explore", label: "Explore", testId: "nav-explore" },
  { to: "/import", label: "Import", testId: "nav-import" },
  { to: "/charts", label: "Charts", testId: "nav-charts" },
  { to: "/jobs", label: "Jobs", testId: "nav-jobs" },
] as const;

export function Layout() {
  const [theme, toggleTheme] = useTheme();
  const [autoRefresh, setAutoRefresh] = useAutoRefreshSetting();
  const { data: health } = useHealth();
  useCatalogEvents(autoRefresh);
  return (
    <div className="flex h-full flex-col">
      <header className="flex h-12 shrink-0 items-center gap-4 border-b border-border px-4">
        <Link to="/" className="font-semibold tracking-tight">
          furu
        </Link>
        <nav className="flex items-center gap-1 text-sm">
          {NAV.map((item) => (
            <Link
              key={item.to}
              to={item.to}
              data-testid={item.testId}
              className="rounded-md px-2.5 py-1 text-muted-foreground hover:text-foreground"
              activeProps={{ className: "bg-accent text-foreground" }}
              activeOptions={{ exact: item.to === "/", includeSearch: false }}
            >
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-3 text-xs text-muted-foreground">
          {health?.demo && <Badge variant="warning" data-testid="demo-badge">demo data</Badge>}
          {health?.read_only && <Badge variant="outline" data-testid="read-only-badge">read-only</Badge>}
          {health && (
            <span className="hidden truncate md:inline" title={health.data_root}>
              {health.data_root} · furu {health.version}
            </span>
          )}
          <label className="flex items-center gap-1.5" title="Refetch when the catalog changes">
            <RefreshCw className="size-3.5" />
            <Switch checked={autoRefresh} onCheckedChange={setAutoRefresh} data-testid="auto-refresh-toggle" aria-label="Auto-refresh" />
          </label>
          <Button variant="ghost" size="icon" onClick={toggleTheme} data-testid="theme-toggle" aria-label={theme === "dark" ? "Light mode" : "Dark mode"}>
            {theme === "dark" ? <Sun /> : <Moon />}
          </Button>
        </div>
      </header>
      <main className="min-h-0 flex-1 overflow-auto">
        <Outlet />
      </main>
    </div>
  );
}

export function NotFound() {
  return (
    <div className="p-8 text-sm" data-testid="not-found">
      Nothing here. <Link to="/" className="underline">Back to the overview</Link>.
    </div>
  );
}

/** A failed query's sentence, where the data would be. */
export function ErrorNote({ error, testId = "error" }: { error: unknown; testId?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div role="alert" data-testid={testId} className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive">
      {message}
    </div>
  );
}
