/** Chooses the config fields shown as columns (the `columns` URL param). */
import { useQuery } from "@tanstack/react-query";
import { Columns3 } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { client, unwrap } from "@/lib/api";

export function ColumnPicker({ fqn, columns, onChange }: { fqn?: string; columns: string[]; onChange: (columns: string[]) => void }) {
  const [path, setPath] = useState("");
  const fields = useQuery({
    queryKey: ["fields", fqn ?? null],
    queryFn: () => unwrap(client.GET("/api/fields", { params: { query: fqn ? { class: fqn } : {} } })),
    staleTime: 60_000,
  });
  const paths = [...new Set([...(fields.data?.fields.map((f) => f.path) ?? []), ...columns])];
  const toggle = (p: string) => onChange(columns.includes(p) ? columns.filter((c) => c !== p) : [...columns, p]);
  return (
    <Popover>
      <PopoverTrigger asChild>
        <Button variant="outline" size="sm" data-testid="columns-button">
          <Columns3 /> Columns{columns.length > 0 && ` (${columns.length})`}
        </Button>
      </PopoverTrigger>
      <PopoverContent className="w-80" data-testid="columns-menu">
        <p className="mb-2 text-xs text-muted-foreground">Config fields{fqn ? ` of ${fqn.split(".").pop()}` : ""}, shown as columns</p>
        <ul className="max-h-72 space-y-1 overflow-y-auto">
          {paths.map((p) => (
            <li key={p}>
              <label className="flex items-center gap-2 font-mono text-xs">
                <Checkbox checked={columns.includes(p)} onCheckedChange={() => toggle(p)} data-testid="column-option" data-path={p} />
                {p}
              </label>
            </li>
          ))}
          {paths.length === 0 && <li className="text-xs text-muted-foreground">No fields known yet: type a path below.</li>}
        </ul>
        <form
          className="mt-2 flex gap-1"
          onSubmit={(event) => {
            event.preventDefault();
            const p = path.trim();
            if (p && !columns.includes(p)) onChange([...columns, p]);
            setPath("");
          }}
        >
          <Input value={path} onChange={(event) => setPath(event.target.value)} placeholder="data.name" className="h-8 font-mono text-xs" data-testid="column-path" />
          <Button type="submit" size="sm" variant="secondary">Add</Button>
        </form>
      </PopoverContent>
    </Popover>
  );
}
