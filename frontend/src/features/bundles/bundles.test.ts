import { describe, expect, it } from "vitest";
import { actionCounts, actionVerb, exportCommand, fileNameOf, type ImportReport, importCommand } from "./bundles";

describe("bundle helpers", () => {
  it("reads the server's file name, with a fallback", () => {
    expect(fileNameOf('attachment; filename="furu-2-artifacts.furu.tar"')).toBe("furu-2-artifacts.furu.tar");
    expect(fileNameOf("attachment; filename*=UTF-8''r%C3%A9sultats.tar")).toBe("résultats.tar");
    expect(fileNameOf(null)).toBe("furu-bundle.furu.tar");
  });
  it("writes the CLI commands", () => {
    expect(exportCommand(["aa11", "bb22"])).toBe("furu export aa11 bb22 -o furu-2-artifacts.furu.tar");
    expect(exportCommand(["aa11"], false)).toBe("furu export aa11 -o furu-1-artifact.furu.tar --no-deps");
    expect(importCommand("furu-1-artifact.furu.tar", true)).toBe("furu import --dry-run furu-1-artifact.furu.tar");
    expect(importCommand("it's mine.tar", false)).toBe("furu import 'it'\\''s mine.tar'");
  });
  it("counts actions and words them like the CLI", () => {
    const report = { experiments: [{ action: "imported" }, { action: "skipped" }, { action: "imported" }] } as unknown as ImportReport;
    expect(actionCounts(report)).toEqual({ imported: 2, replaced: 0, skipped: 1, refused: 0 });
    expect(actionVerb("skipped", true)).toBe("would skip");
    expect(actionVerb("skipped", false)).toBe("skipped");
  });
});
