import { describe, expect, it } from "vitest";
import { compareSearch, validateCompareSearch } from "./search";

describe("validateCompareSearch", () => {
  it("keeps hashes in order, lowercased, without repeats or junk", () => {
    expect(validateCompareSearch({ hashes: "abcd1234, ABCD1234,ffff0000,../etc,,12" })).toEqual({ hashes: "abcd1234,ffff0000" });
    expect(validateCompareSearch({ hashes: 42 })).toEqual({});
    expect(validateCompareSearch({})).toEqual({});
  });

  it("keeps the code pair only when it names exactly two", () => {
    expect(validateCompareSearch({ hashes: "aaaa1111,bbbb2222,cccc3333", code: "bbbb2222,cccc3333" })).toEqual({
      hashes: "aaaa1111,bbbb2222,cccc3333",
      code: "bbbb2222,cccc3333",
    });
    expect(validateCompareSearch({ hashes: "aaaa1111,bbbb2222", code: "bbbb2222" })).toEqual({ hashes: "aaaa1111,bbbb2222" });
  });

  it("builds the search for a selection", () => {
    expect(compareSearch(["aaaa1111", "bbbb2222"])).toEqual({ hashes: "aaaa1111,bbbb2222" });
  });
});
