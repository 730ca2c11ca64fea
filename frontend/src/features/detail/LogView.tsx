/**
 * The log: its last lines, then (live) the lines appended since, from the server-sent event
 * stream that starts at the byte offset the tail ended at.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Switch } from "@/components/ui/switch";
import { client, logStreamUrl, unwrap } from "@/lib/api";
import { formatBytes } from "@/lib/utils";

/** Lines kept on screen while following; older ones scroll away. */
const KEEP = 5000;

export function LogView({ hash, running }: { hash: string; running: boolean }) {
  const [live, setLive] = useState(running);
  const tail = useQuery({
    queryKey: ["log", hash],
    queryFn: () => unwrap(client.GET("/api/experiments/{ref}/logs", { params: { path: { ref: hash }, query: { tail: 200 } } })),
    refetchOnMount: "always",
  });
  const [extra, setExtra] = useState<string[]>([]);
  const bottom = useRef<HTMLDivElement>(null);
  const offset = tail.data?.offset;

  useEffect(() => {
    setExtra([]);
    if (!live || offset === undefined || typeof EventSource === "undefined") return;
    const source = new EventSource(logStreamUrl(hash, offset));
    source.addEventListener("line", (event) => {
      setExtra((lines) => [...lines, (event as MessageEvent<string>).data].slice(-KEEP));
    });
    return () => source.close();
  }, [hash, live, offset]);

  useEffect(() => {
    if (live) bottom.current?.scrollIntoView?.({ block: "end" });
  }, [extra.length, live]);

  if (tail.error) return <ErrorNote error={tail.error} />;
  if (!tail.data) return <p className="text-sm text-muted-foreground">Loading…</p>;
  const lines = [...tail.data.lines, ...extra];
  return (
    <div>
      <div className="mb-2 flex items-center gap-3 text-xs text-muted-foreground">
        <span className="font-mono">{tail.data.path}</span>
        <span>{formatBytes(tail.data.size)}</span>
        <label className="ml-auto flex items-center gap-1.5">
          <Switch checked={live} onCheckedChange={setLive} data-testid="log-live-toggle" />
          live tail
        </label>
      </div>
      {!tail.data.exists ? (
        <p className="text-sm text-muted-foreground" data-testid="log-missing">No log written yet.</p>
      ) : (
        <pre className="max-h-[36rem] overflow-auto rounded-md border border-border bg-muted/40 p-3 font-mono text-xs leading-5" data-testid="log-lines">
          {lines.join("\n")}
          <div ref={bottom} />
        </pre>
      )}
    </div>
  );
}
