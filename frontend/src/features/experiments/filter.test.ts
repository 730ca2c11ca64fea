import { describe, expect, it } from "vitest";
import { classOf, formatTerms, operatorsFor, parseTerms, withTerm } from "./filter";

describe("parseTerms", () => {
  it("reads terms side by side as the builder's rows", () => {
    expect(parseTerms("status=failed class=Train lr>1e-3")).toEqual([
      { key: "status", op: "=", value: "failed" },
      { key: "class", op: "=", value: "Train" },
      { key: "lr", op: ">", value: "1e-3" },
    ]);
  });

  it("keeps a value with spaces whole, up to the next word with an operator", () => {
    expect(parseTerms("name=my first run tag=best")).toEqual([
      { key: "name", op: "=", value: "my first run" },
      { key: "tag", op: "=", value: "best" },
    ]);
  });

  it("reads every operator, == as =, and spaces around an operator", () => {
    expect(parseTerms("a!=1 b<=2 c>=3 d<4 e~x.* f!~y g==z")!.map((t) => t.op)).toEqual(["!=", "<=", ">=", "<", "~", "!~", "="]);
    expect(parseTerms("lr > 1e-3 data.name = toy")).toEqual([
      { key: "lr", op: ">", value: "1e-3" },
      { key: "data.name", op: "=", value: "toy" },
    ]);
  });

  it("drops an explicit and between terms but keeps one inside a value", () => {
    expect(parseTerms("status=failed and tag=best")).toEqual([
      { key: "status", op: "=", value: "failed" },
      { key: "tag", op: "=", value: "best" },
    ]);
    expect(parseTerms("name=rock and roll")).toEqual([{ key: "name", op: "=", value: "rock and roll" }]);
  });

  it("keeps operator characters and parentheses that belong to a value", () => {
    expect(parseTerms("name~^<x class~(Train|Eval) path=a=b")).toEqual([
      { key: "name", op: "~", value: "^<x" },
      { key: "class", op: "~", value: "(Train|Eval)" },
      { key: "path", op: "=", value: "a=b" },
    ]);
  });

  it("answers null for what only the text box can edit: or, not, groups, stray words", () => {
    expect(parseTerms("status=failed or tag=best")).toBeNull();
    expect(parseTerms("not tag=best")).toBeNull();
    expect(parseTerms("(tag=a or tag=b)")).toBeNull();
    expect(parseTerms("not(status=failed)")).toBeNull();
    expect(parseTerms("hello")).toBeNull();
  });

  it("reads empty text as no terms", () => {
    expect(parseTerms("")).toEqual([]);
    expect(parseTerms("   ")).toEqual([]);
  });
});

describe("formatTerms", () => {
  it("writes terms side by side, values as they are", () => {
    expect(formatTerms([
      { key: "status", op: "=", value: "failed" },
      { key: "name", op: "=", value: "my run" },
      { key: " lr ", op: ">=", value: " 0.1 " },
      { key: "", op: "=", value: "ignored" },
    ])).toBe("status=failed name=my run lr>=0.1");
  });

  it("round-trips: text -> terms -> text -> the same terms", () => {
    const texts = [
      "status=failed class=Train lr>1e-3",
      "name=my first run tag=best",
      "created>2026-11-01 runtime>=1h size<10MB",
      "class~(Train|Eval) data.name!=toy hash=ab12 stale=true",
    ];
    for (const text of texts) {
      const terms = parseTerms(text)!;
      expect(formatTerms(terms)).toBe(text);
      expect(parseTerms(formatTerms(terms))).toEqual(terms);
    }
  });
});

describe("withTerm and classOf", () => {
  it("replaces the term of the same key and operator, or appends", () => {
    expect(withTerm("status=failed class=A", { key: "class", op: "=", value: "B" })).toBe("status=failed class=B");
    expect(withTerm("status=failed", { key: "lr", op: ">", value: "1" })).toBe("status=failed lr>1");
    expect(withTerm("tag=a or tag=b", { key: "lr", op: ">", value: "1" })).toBe("tag=a or tag=b lr>1");
  });

  it("finds the one class a filter narrows to", () => {
    expect(classOf(parseTerms("status=failed class=pkg.Train"))).toBe("pkg.Train");
    expect(classOf(parseTerms("class=A,B"))).toBeUndefined();
    expect(classOf(parseTerms("class~Train"))).toBeUndefined();
    expect(classOf(null)).toBeUndefined();
  });

  it("offers only the operators furu accepts for a key", () => {
    expect(operatorsFor("status")).toEqual(["=", "!="]);
    expect(operatorsFor("stale")).toEqual(["=", "!="]);
    expect(operatorsFor("lr")).toContain("<=");
  });
});
