/**
 * A small unified-diff highlighter: each line of `git diff` output classified, so the patch a
 * result was made with reads like it does in a terminal. Hunk headers' line counts decide what
 * is inside a hunk, so a removed line that starts with `--` is not mistaken for a file header.
 */

export type DiffLineKind = "file" | "hunk" | "add" | "del" | "context" | "meta";

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
}

const HUNK = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;

export function highlightDiff(patch: string): DiffLine[] {
  const lines = patch.replace(/\n$/, "").split("\n");
  const out: DiffLine[] = [];
  let oldLeft = 0;
  let newLeft = 0;
  for (const text of lines) {
    const inHunk = oldLeft > 0 || newLeft > 0;
    if (inHunk) {
      if (text.startsWith("+")) {
        newLeft -= 1;
        out.push({ kind: "add", text });
      } else if (text.startsWith("-")) {
        oldLeft -= 1;
        out.push({ kind: "del", text });
      } else if (text.startsWith("\\")) {
        out.push({ kind: "meta", text });
      } else {
        oldLeft -= 1;
        newLeft -= 1;
        out.push({ kind: "context", text });
      }
      continue;
    }
    const hunk = HUNK.exec(text);
    if (hunk) {
      oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      newLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      out.push({ kind: "hunk", text });
    } else if (text.startsWith("\\")) {
      out.push({ kind: "meta", text }); // "\ No newline at end of file" after a hunk's last line
    } else {
      out.push({ kind: "file", text });
    }
  }
  return out;
}

/** How many lines a patch adds and removes, for its heading. */
export function diffStat(lines: readonly DiffLine[]): { added: number; removed: number } {
  return {
    added: lines.filter((l) => l.kind === "add").length,
    removed: lines.filter((l) => l.kind === "del").length,
  };
}
