import { describe, expect, it } from "vitest";
import { formatSort, nextSort, parseSort } from "./sort";

describe("sort param", () => {
  it("parses key,-key and writes it back", () => {
    const keys = parseSort("class,-created,lr");
    expect(keys).toEqual([
      { key: "class", desc: false },
      { key: "created", desc: true },
      { key: "lr", desc: false },
    ]);
    expect(formatSort(keys)).toBe("class,-created,lr");
  });

  it("ignores empty parts and repeated keys (the first wins)", () => {
    expect(formatSort(parseSort(" ,-runtime,, runtime ,size"))).toBe("-runtime,size");
    expect(parseSort(undefined)).toEqual([]);
    expect(parseSort("")).toEqual([]);
  });
});

describe("nextSort: header clicks", () => {
  it("a click sorts by that key alone, ascending; again flips it; again clears it", () => {
    const one = nextSort(parseSort("class,-created"), "runtime", false);
    expect(formatSort(one)).toBe("runtime");
    const two = nextSort(one, "runtime", false);
    expect(formatSort(two)).toBe("-runtime");
    expect(formatSort(nextSort(two, "runtime", false))).toBe("");
  });

  it("a click on one of several keys sorts by it alone", () => {
    expect(formatSort(nextSort(parseSort("class,-created"), "created", false))).toBe("created");
  });

  it("a shift-click adds a key, flips it in place, then removes it", () => {
    let sort = parseSort("class");
    sort = nextSort(sort, "created", true);
    expect(formatSort(sort)).toBe("class,created");
    sort = nextSort(sort, "created", true);
    expect(formatSort(sort)).toBe("class,-created");
    sort = nextSort(sort, "size", true);
    expect(formatSort(sort)).toBe("class,-created,size");
    sort = nextSort(sort, "created", true);
    expect(formatSort(sort)).toBe("class,size");
  });
});
