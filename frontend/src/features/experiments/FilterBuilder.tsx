/**
 * The filter builder: one row per `key OP value` term (add one, then another), kept in sync with
 * the `furu ls` text, which is shown and editable too. Keys are furu's built-ins plus the config
 * fields `/api/fields` knows for the chosen class; a value is picked from a dropdown when there
 * are few distinct values, and autocompleted otherwise.
 */
import { useQuery } from "@tanstack/react-query";
import { Plus, X } from "lucide-react";
import { type KeyboardEvent, useEffect, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { STATUSES } from "@/components/ui/status-badge";
import { client, type FieldInfo, unwrap } from "@/lib/api";
import { BUILTIN_KEYS, FLAG_KEYS, classOf, formatTerms, type Operator, operatorsFor, parseTerms, type Term } from "./filter";

/** At most this many distinct values: a dropdown; more: free text with suggestions. */
const DROPDOWN_LIMIT = 20;

interface Props {
  value: string;
  onChange: (text: string) => void;
  /** The server's reason the filter was refused (a 400), shown under the text. */
  error?: string;
  /** Distinct values of the built-in keys the page already knows (classes, namespaces). */
  known?: Partial<Record<string, string[]>>;
}

export function FilterBuilder({ value, onChange, error, known = {} }: Props) {
  const parsed = parseTerms(value);
  const [drafts, setDrafts] = useState<Term[]>(parsed ?? []);
  const [text, setText] = useState(value);

  // the URL changed elsewhere (the text box, back button, a link): start again from it,
  // unless it is just what the drafts already say (keep a half-written new term then)
  useEffect(() => {
    setText(value);
    setDrafts((current) => (formatTerms(complete(current)) === value ? current : (parseTerms(value) ?? [])));
  }, [value]);

  const fields = useFields(classOf(parsed));
  const commit = (terms: Term[]) => {
    setDrafts(terms);
    const next = formatTerms(complete(terms));
    if (next !== value) onChange(next);
  };
  const update = (index: number, change: Partial<Term>, now: boolean) => {
    const terms = drafts.map((t, i) => (i === index ? { ...t, ...change } : t));
    const term = terms[index]!;
    if (change.key !== undefined && !operatorsFor(term.key).includes(term.op)) term.op = "=";
    if (now) commit(terms);
    else setDrafts(terms);
  };

  return (
    <div className="space-y-2" data-testid="filter-builder">
      {parsed === null ? (
        <p className="text-xs text-muted-foreground" data-testid="filter-text-only">
          This filter uses or, not or parentheses: edit it as text.
        </p>
      ) : (
        <div className="flex flex-wrap items-center gap-2">
          {drafts.map((term, index) => (
            <TermEditor
              key={index}
              term={term}
              fields={fields}
              known={known}
              onChange={(change, now) => update(index, change, now)}
              onCommit={() => commit(drafts)}
              onRemove={() => commit(drafts.filter((_, i) => i !== index))}
            />
          ))}
          <Button variant="outline" size="sm" data-testid="filter-add" onClick={() => setDrafts([...drafts, { key: "", op: "=", value: "" }])}>
            <Plus /> Add filter
          </Button>
        </div>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onChange(text.trim());
        }}
      >
        <Input
          value={text}
          onChange={(event) => setText(event.target.value)}
          onBlur={() => text.trim() !== value && onChange(text.trim())}
          placeholder="status=failed class=Train lr>1e-3"
          className="font-mono text-xs"
          aria-label="Filter"
          aria-invalid={error ? true : undefined}
          data-testid="filter-text"
          spellCheck={false}
        />
      </form>
      {error && (
        <p className="text-xs text-destructive" role="alert" data-testid="filter-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** Terms that say something: a key and a value (`name=` alone is written in the text box). */
function complete(terms: Term[]): Term[] {
  return terms.filter((t) => t.key.trim() && t.value.trim());
}

function useFields(fqn: string | undefined): FieldInfo[] {
  const query = useQuery({
    queryKey: ["fields", fqn ?? null],
    queryFn: () => unwrap(client.GET("/api/fields", { params: { query: fqn ? { class: fqn } : {} } })),
    staleTime: 60_000,
  });
  return query.data?.fields ?? [];
}

/** The values offered for a key: statuses and flags are fixed; the rest come from the catalog. */
export function valueChoices(key: string, fields: FieldInfo[], known: Partial<Record<string, string[]>>): { values: string[]; dropdown: boolean } {
  if (key === "status") return { values: STATUSES, dropdown: true };
  if (FLAG_KEYS.includes(key)) return { values: ["true", "false"], dropdown: true };
  const fromPage = known[key];
  if (fromPage) return { values: fromPage, dropdown: false };
  const field = fields.find((f) => f.path === key);
  if (!field) return { values: [], dropdown: false };
  const values = field.values.map((v) => v.value);
  return { values, dropdown: field.distinct > 0 && field.distinct <= DROPDOWN_LIMIT && values.length >= field.distinct };
}

interface TermProps {
  term: Term;
  fields: FieldInfo[];
  known: Partial<Record<string, string[]>>;
  /** `now`: a choice made (a select); otherwise typing, committed on Enter or blur. */
  onChange: (change: Partial<Term>, now: boolean) => void;
  onCommit: () => void;
  onRemove: () => void;
}

function TermEditor({ term, fields, known, onChange, onCommit, onRemove }: TermProps) {
  const id = useId();
  const { values, dropdown } = valueChoices(term.key, fields, known);
  const keyOptions = [...BUILTIN_KEYS, ...fields.map((f) => f.path).filter((p) => !(BUILTIN_KEYS as readonly string[]).includes(p))];
  const onEnter = (event: KeyboardEvent) => {
    if (event.key === "Enter") {
      event.preventDefault();
      onCommit();
    }
  };
  const selectClass = "h-8 rounded-md border border-input bg-background px-1.5 text-xs";
  return (
    <div className="flex items-center gap-1 rounded-md border border-border bg-muted/40 p-1" data-testid="filter-term">
      <input
        className="h-8 w-32 rounded-md border border-input bg-background px-2 font-mono text-xs"
        list={`${id}-keys`}
        value={term.key}
        placeholder="field"
        aria-label="Field"
        data-testid="filter-key"
        onChange={(event) => onChange({ key: event.target.value }, false)}
        onBlur={onCommit}
        onKeyDown={onEnter}
      />
      <datalist id={`${id}-keys`}>
        {keyOptions.map((key) => <option key={key} value={key} />)}
      </datalist>
      <select className={selectClass} value={term.op} aria-label="Operator" data-testid="filter-op" onChange={(event) => onChange({ op: event.target.value as Operator }, true)}>
        {operatorsFor(term.key).map((op) => <option key={op} value={op}>{op}</option>)}
      </select>
      {dropdown && (term.op === "=" || term.op === "!=") ? (
        <select className={selectClass} value={term.value} aria-label="Value" data-testid="filter-value" onChange={(event) => onChange({ value: event.target.value }, true)}>
          <option value="">…</option>
          {values.map((v) => <option key={v} value={v}>{v}</option>)}
          {term.value && !values.includes(term.value) && <option value={term.value}>{term.value}</option>}
        </select>
      ) : (
        <>
          <input
            className="h-8 w-36 rounded-md border border-input bg-background px-2 font-mono text-xs"
            list={`${id}-values`}
            value={term.value}
            placeholder="value"
            aria-label="Value"
            data-testid="filter-value"
            onChange={(event) => onChange({ value: event.target.value }, false)}
            onBlur={onCommit}
            onKeyDown={onEnter}
          />
          <datalist id={`${id}-values`}>
            {values.map((v) => <option key={v} value={v} />)}
          </datalist>
        </>
      )}
      <Button variant="ghost" size="icon" className="size-7" aria-label="Remove filter" data-testid="filter-remove" onClick={onRemove}>
        <X />
      </Button>
    </div>
  );
}
