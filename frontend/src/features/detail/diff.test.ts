import { describe, expect, it } from "vitest";
import { diffStat, highlightDiff } from "./diff";

const PATCH = `diff --git a/train.py b/train.py
index 1111111..2222222 100644
--- a/train.py
+++ b/train.py
@@ -1,4 +1,4 @@
 import torch
--- not a header: a removed line starting with dashes
+lr = 1e-3
 
 def main():
@@ -10 +10,2 @@ def main():
-    pass
+    run()
+    done()
\\ No newline at end of file
diff --git a/b.txt b/b.txt
`;

describe("highlightDiff", () => {
  it("classifies every line of a unified diff", () => {
    expect(highlightDiff(PATCH).map((l) => l.kind)).toEqual([
      "file", "file", "file", "file",
      "hunk", "context", "del", "add", "context", "context",
      "hunk", "del", "add", "add", "meta",
      "file",
    ]); // prettier-ignore
  });

  it("keeps the text of each line, and counts additions and removals", () => {
    const lines = highlightDiff(PATCH);
    expect(lines[6]).toEqual({ kind: "del", text: "--- not a header: a removed line starting with dashes" });
    expect(diffStat(lines)).toEqual({ added: 3, removed: 2 });
  });

  it("reads an empty patch as no change", () => {
    expect(diffStat(highlightDiff(""))).toEqual({ added: 0, removed: 0 });
  });
});
