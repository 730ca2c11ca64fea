/**
 * The filter builder's model and the `furu ls` text form it round-trips to.
 *
 * The text is furu's own language (furu/query/parser.py): `key OP value` terms side by side mean
 * "and"; a value runs until the next word that holds its own operator, so it may contain spaces
 * (`name=my run`). The builder edits only that and-of-terms form; text with `or`, `not` or
 * parentheses is left to the text box ({@link parseTerms} answers null for it).
 */

export const OPERATORS = ["=", "!=", "<", "<=", ">", ">=", "~", "!~"] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Term {
  key: string;
  op: Operator;
  value: string;
}

/** furu's built-in keys; any other key is a config path (`lr`, `data.name`). */
export const BUILTIN_KEYS = [
  "status", "class", "namespace", "tag", "name", "host", "user", "created", "updated",
  "runtime", "size", "hash", "version_controlled", "code_changed", "stale",
] as const; // prettier-ignore

/** Keys that are true or false: = and != only, a dropdown of two values. */
export const FLAG_KEYS = ["version_controlled", "code_changed", "stale"];

/** The operators each built-in key takes (furu refuses the others); config paths take all. */
export function operatorsFor(key: string): readonly Operator[] {
  if (key === "status" || FLAG_KEYS.includes(key)) return ["=", "!="];
  if (key === "tag") return ["=", "!=", "~", "!~"];
  return OPERATORS;
}

const KEY = "[A-Za-z0-9_.\\-]+";
const OP = "(!=|>=|<=|!~|==|=|~|>|<)";
/** A word that starts a new term: the key and its operator glued together (`lr>1e-3`, `name=`). */
const TERM_WORD = new RegExp(`^(${KEY})${OP}(.*)$`, "s");
const BARE_KEY = new RegExp(`^${KEY}$`);
const OP_WORD = new RegExp(`^${OP}(.*)$`, "s");

function normalize(op: string): Operator {
  return (op === "==" ? "=" : op) as Operator;
}

/**
 * The terms of an and-only filter, or null when the text uses `or`, `not` or groups (or is not
 * a list of terms at all), which only the text box can edit. An empty text is no terms.
 */
export function parseTerms(text: string): Term[] | null {
  const words = text.split(/\s+/).filter(Boolean);
  const terms: Term[] = [];
  let index = 0;
  const startsTerm = (at: number) => {
    const word = words[at];
    if (word === undefined) return false;
    if (TERM_WORD.test(word)) return true;
    const next = words[at + 1];
    return BARE_KEY.test(word) && next !== undefined && OP_WORD.test(next); // `lr > 1e-3`
  };
  while (index < words.length) {
    const word = words[index]!;
    if (word === "or" || word === "not" || word.startsWith("(") || /^(and|or|not)\(/.test(word)) return null;
    if (word === "and" && terms.length > 0 && startsTerm(index + 1)) {
      index += 1; // an explicit "and" between two terms is what side by side means
      continue;
    }
    let key: string;
    let op: string;
    let first: string;
    const glued = TERM_WORD.exec(word);
    if (glued) {
      [, key, op, first] = glued as unknown as [string, string, string, string];
      index += 1;
    } else if (startsTerm(index)) {
      const spaced = OP_WORD.exec(words[index + 1]!)!;
      key = word;
      op = spaced[1]!;
      first = spaced[2]!;
      index += 2;
    } else {
      return null; // a word that is neither a term nor part of one
    }
    const valueWords = first ? [first] : [];
    while (index < words.length && !startsTerm(index)) {
      const next = words[index]!;
      if (next === "or" || next === "not") return null;
      if (next === "and" && startsTerm(index + 1)) break;
      if (next.endsWith(")") && !valueWords.join(" ").includes("(")) return null; // closes a group
      valueWords.push(next);
      index += 1;
    }
    terms.push({ key, op: normalize(op), value: valueWords.join(" ") });
  }
  return terms;
}

/** The `furu ls` text of terms: `status=failed class=Train lr>1e-3` (values written as they are). */
export function formatTerms(terms: readonly Term[]): string {
  return terms
    .filter((term) => term.key.trim() !== "")
    .map((term) => `${term.key.trim()}${term.op}${term.value.trim()}`)
    .join(" ");
}

/** The filter with one more term, or with that key's term replaced (`class=` when a class is picked). */
export function withTerm(text: string, term: Term): string {
  const terms = parseTerms(text);
  if (terms === null) return `${text.trim()} ${formatTerms([term])}`.trim();
  const others = terms.filter((t) => !(t.key === term.key && t.op === term.op));
  return formatTerms([...others, term]);
}

/** The class a filter narrows to (`class=Train`), for the field list of /api/fields. */
export function classOf(terms: readonly Term[] | null): string | undefined {
  const term = terms?.find((t) => (t.key === "class" || t.key === "fqn") && t.op === "=" && t.value && !t.value.includes(","));
  return term?.value;
}
