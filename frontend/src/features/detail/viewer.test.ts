import { describe, expect, it } from "vitest";
import type { FileItem } from "@/lib/api";
import { chooseViewer, MAX_INLINE_BYTES, parseJsonl, prettyJson } from "./viewer";

const file = (path: string, viewer: FileItem["viewer"], size = 100): FileItem => ({ path, viewer, size, kind: viewer === "dir" ? "dir" : "file" });

describe("chooseViewer", () => {
  it("shows each kind of file with its viewer", () => {
    expect(chooseViewer(file("metrics.json", "json"))).toBe("json");
    expect(chooseViewer(file("log.jsonl", "jsonl"))).toBe("jsonl");
    expect(chooseViewer(file("scores.csv", "csv"))).toBe("table");
    expect(chooseViewer(file("scores.parquet", "parquet"))).toBe("table");
    expect(chooseViewer(file("README.md", "markdown"))).toBe("markdown");
    expect(chooseViewer(file("notes.txt", "text"))).toBe("text");
    expect(chooseViewer(file("plot.png", "image"))).toBe("image");
    expect(chooseViewer(file("weights.bin", "binary"))).toBe("download");
    expect(chooseViewer(file("plots", "dir"))).toBe("dir");
  });

  it("never renders what could run code: HTML and SVG are shown as source", () => {
    expect(chooseViewer(file("report.html", "html"))).toBe("source");
    expect(chooseViewer(file("figure.SVG", "image"))).toBe("source");
  });

  it("offers large text files as downloads, but previews tables of any size", () => {
    expect(chooseViewer(file("big.txt", "text", MAX_INLINE_BYTES + 1))).toBe("download");
    expect(chooseViewer(file("big.json", "json", MAX_INLINE_BYTES + 1))).toBe("download");
    expect(chooseViewer(file("big.csv", "csv", 10 * MAX_INLINE_BYTES))).toBe("table");
    expect(chooseViewer({ path: "x.txt", viewer: "text", size: null, kind: "file" })).toBe("text");
  });
});

describe("file contents", () => {
  it("pretty-prints JSON, and says when it is not JSON", () => {
    expect(prettyJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(prettyJson("{oops")).toBeNull();
  });

  it("reads JSON Lines into columns, keeping a bad line", () => {
    expect(parseJsonl('{"step":1,"loss":0.5}\n{"step":2,"acc":0.9}\nnot json\n')).toEqual({
      columns: ["step", "loss", "acc", "(line)"],
      rows: [
        [1, 0.5, undefined, undefined],
        [2, undefined, 0.9, undefined],
        [undefined, undefined, undefined, "not json"],
      ],
      truncated: false,
    });
    expect(parseJsonl("1\n2\n3", 2)).toEqual({ columns: ["(value)"], rows: [[1], [2]], truncated: true });
  });
});
