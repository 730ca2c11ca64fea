/**
 * The migration form's state, and the `furu migrate` options it asks for (the body of
 * `POST /api/stale/plan`). Pure functions: the server builds the command line and the plan.
 */
import type { Schemas } from "@/lib/api";

export type MigrationRequest = Schemas["MigrationRequest"];
export type Policy = NonNullable<MigrationRequest["policy"]>;

/** What to migrate: all of the class (to today's defaults), the class with values set, one result, or a filter. */
export type Choice = "class" | "set" | "one" | "filter";

export const CHOICES: { choice: Choice; label: string }[] = [
  { choice: "class", label: "All of the class, to the new defaults" },
  { choice: "set", label: "All of the class, values set" },
  { choice: "one", label: "One experiment" },
  { choice: "filter", label: "A filter" },
];

export interface FormState {
  choice: Choice;
  /** `--set FIELD=VALUE`, one row each (a value may hold spaces); for every choice but "class". */
  pairs: { field: string; value: string }[];
  /** The hash of the one experiment. */
  one: string;
  /** A `furu ls` filter. */
  filter: string;
  /** `OLD=NEW OLD2=NEW2`: renamed fields. */
  rename: string;
  /** `FIELD FIELD2`: removed fields. */
  drop: string;
  policy: Policy;
  cascade: boolean;
  overwrite: boolean;
}

/** What the form needs of a group: its results, and the migration of all of them (`request`: a moved class names today's, `--from` the old). */
export interface GroupLike {
  hashes: string[];
  request: Pick<MigrationRequest, "filter" | "from_class">;
}

export function initialForm(group: GroupLike): FormState {
  return {
    choice: "class", pairs: [{ field: "", value: "" }], one: group.hashes[0] ?? "", filter: group.request.filter,
    rename: "", drop: "", policy: "alias", cascade: true, overwrite: false,
  };
}

function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

/** The request the form asks for, or the sentence that says what is malformed (as the CLI says it). */
export function requestOf(group: GroupLike, form: FormState): MigrationRequest | string {
  const rename: Record<string, string> = {};
  for (const word of words(form.rename)) {
    const [old, ...rest] = word.split("=");
    if (!old || rest.length === 0 || !rest.join("=")) return `--rename '${word}': expected OLD=NEW.`;
    rename[old] = rest.join("=");
  }
  const values: Record<string, string> = {};
  if (form.choice !== "class") {
    for (const { field, value } of form.pairs) {
      if (field.trim()) values[field.trim()] = value;
    }
  }
  if (form.choice === "set" && Object.keys(values).length === 0) return "Give at least one FIELD and its VALUE to set.";
  const fromClass = group.request.from_class ?? null;
  let filter = group.request.filter;
  // with --from, the filter names today's class (class=...) once: one result is that and its hash
  if (form.choice === "one") filter = fromClass ? `${group.request.filter} hash=${form.one}` : form.one;
  if (form.choice === "filter") filter = form.filter.trim();
  if (!filter || (form.choice === "one" && !form.one)) return "Say what to migrate: a filter as `furu ls` takes it, or a hash.";
  return {
    filter, values, rename, drop: words(form.drop), from_class: fromClass, policy: form.policy, cascade: form.cascade, overwrite: form.overwrite,
  };
}
