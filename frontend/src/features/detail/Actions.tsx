/**
 * What can be done to a result from its page: name it, tag it, invalidate it (optionally with
 * everything downstream), delete it. Shown only when the server accepts mutations.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { Pencil, Plus, Trash2, X, Zap } from "lucide-react";
import { useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { client, unwrap } from "@/lib/api";

/** After a change, everything that shows this result is fetched again. */
function useRefresh() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "health" });
}

export function NameEditor({ hash, name, canWrite }: { hash: string; name: string | null | undefined; canWrite: boolean }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(name ?? "");
  const refresh = useRefresh();
  const save = useMutation({
    mutationFn: (value: string | null) => unwrap(client.PUT("/api/experiments/{ref}/name", { params: { path: { ref: hash } }, body: { name: value } })),
    onSuccess: () => {
      setEditing(false);
      void refresh();
    },
  });
  if (!editing) {
    return (
      <span className="inline-flex items-center gap-1">
        <span data-testid="detail-name" className={name ? "" : "text-muted-foreground"}>{name ?? (canWrite ? "no name" : "")}</span>
        {canWrite && (
          <Button variant="ghost" size="icon" className="size-6" aria-label="Edit name" data-testid="name-edit" onClick={() => { setDraft(name ?? ""); setEditing(true); }}>
            <Pencil />
          </Button>
        )}
      </span>
    );
  }
  return (
    <form className="inline-flex items-center gap-1" onSubmit={(event) => { event.preventDefault(); save.mutate(draft.trim() || null); }}>
      <Input autoFocus value={draft} onChange={(event) => setDraft(event.target.value)} className="h-7 w-56" data-testid="name-input" aria-label="Name" />
      <Button type="submit" size="xs" data-testid="name-save" disabled={save.isPending}>Save</Button>
      <Button size="xs" variant="ghost" onClick={() => setEditing(false)}>Cancel</Button>
      {save.error && <ErrorNote error={save.error} />}
    </form>
  );
}

export function TagsEditor({ hash, tags, canWrite }: { hash: string; tags: string[]; canWrite: boolean }) {
  const [draft, setDraft] = useState("");
  const refresh = useRefresh();
  const save = useMutation({
    mutationFn: (next: string[]) => unwrap(client.PUT("/api/experiments/{ref}/tags", { params: { path: { ref: hash } }, body: { tags: next } })),
    onSuccess: () => void refresh(),
  });
  const add = () => {
    const tag = draft.trim();
    if (tag && !tags.includes(tag)) save.mutate([...tags, tag]);
    setDraft("");
  };
  return (
    <span className="inline-flex flex-wrap items-center gap-1" data-testid="detail-tags">
      {tags.map((tag) => (
        <Badge key={tag} data-testid="detail-tag">
          {tag}
          {canWrite && (
            <button type="button" aria-label={`Remove tag ${tag}`} data-testid="tag-remove" onClick={() => save.mutate(tags.filter((t) => t !== tag))}>
              <X className="size-3" />
            </button>
          )}
        </Badge>
      ))}
      {canWrite && (
        <form className="inline-flex items-center gap-1" onSubmit={(event) => { event.preventDefault(); add(); }}>
          <Input value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="add tag" className="h-6 w-24 text-xs" data-testid="tag-input" aria-label="New tag" />
          <Button type="submit" variant="ghost" size="icon" className="size-6" aria-label="Add tag" data-testid="tag-add"><Plus /></Button>
        </form>
      )}
      {save.error && <ErrorNote error={save.error} />}
    </span>
  );
}

export function InvalidateButton({ hash }: { hash: string }) {
  const [open, setOpen] = useState(false);
  const [cascade, setCascade] = useState(false);
  const refresh = useRefresh();
  const run = useMutation({
    mutationFn: () => unwrap(client.POST("/api/experiments/{ref}/invalidate", { params: { path: { ref: hash } }, body: { cascade } })),
    onSuccess: () => void refresh(),
  });
  return (
    <Dialog open={open} onOpenChange={(next) => { setOpen(next); if (!next) run.reset(); }}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm" data-testid="invalidate-button"><Zap /> Invalidate</Button>
      </DialogTrigger>
      <DialogContent data-testid="invalidate-dialog">
        <DialogTitle>Invalidate this result?</DialogTitle>
        <DialogDescription>Its result is marked invalid, so the next load_or_create computes it again. The directory stays.</DialogDescription>
        <label className="flex items-center gap-2 text-sm">
          <Checkbox checked={cascade} onCheckedChange={(value) => setCascade(value === true)} data-testid="invalidate-cascade" />
          Also invalidate everything that depends on it
        </label>
        {run.data && (
          <div className="text-sm" data-testid="invalidate-result">
            <p>Invalidated {run.data.invalidated.length}.</p>
            {run.data.skipped.map((line) => <p key={line} className="text-muted-foreground">{line}</p>)}
          </div>
        )}
        {run.error && <ErrorNote error={run.error} />}
        <DialogFooter>
          <DialogClose asChild><Button variant="ghost">{run.data ? "Close" : "Cancel"}</Button></DialogClose>
          {!run.data && <Button onClick={() => run.mutate()} disabled={run.isPending} data-testid="invalidate-confirm">Invalidate</Button>}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

export function DeleteButton({ hash, label }: { hash: string; label: string }) {
  const navigate = useNavigate();
  const refresh = useRefresh();
  const run = useMutation({
    mutationFn: (force: boolean) => unwrap(client.DELETE("/api/experiments/{ref}", { params: { path: { ref: hash }, query: force ? { force } : {} } })),
    onSuccess: () => {
      void refresh();
      void navigate({ to: "/experiments" });
    },
  });
  return (
    <Dialog onOpenChange={(open) => !open && run.reset()}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm" className="text-destructive" data-testid="delete-button"><Trash2 /> Delete</Button>
      </DialogTrigger>
      <DialogContent data-testid="delete-dialog">
        <DialogTitle>Delete {label}?</DialogTitle>
        <DialogDescription>Its directory and everything in it are removed from disk. This cannot be undone.</DialogDescription>
        {run.error && <ErrorNote error={run.error} />}
        <DialogFooter>
          <DialogClose asChild><Button variant="ghost">Cancel</Button></DialogClose>
          {run.error ? (
            <Button variant="destructive" onClick={() => run.mutate(true)} disabled={run.isPending} data-testid="delete-force">Delete anyway</Button>
          ) : (
            <Button variant="destructive" onClick={() => run.mutate(false)} disabled={run.isPending} data-testid="delete-confirm">Delete</Button>
          )}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
