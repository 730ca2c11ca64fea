import { describe, expect, it } from "vitest";
import { validateExperimentsSearch } from "./search";

describe("validateExperimentsSearch", () => {
  it("keeps a valid view state as it is", () => {
    expect(
      validateExperimentsSearch({ filter: "status=failed lr>1e-3", sort: "class,-created", columns: "lr,data.name", selected: "abcd1234", stale: true }),
    ).toEqual({ filter: "status=failed lr>1e-3", sort: "class,-created", columns: "lr,data.name", selected: "abcd1234", stale: true });
  });

  it("drops what a hand-edited URL got wrong instead of failing the page", () => {
    expect(validateExperimentsSearch({ filter: "  ", sort: "-,;drop", columns: "lr,,lr, bad path", selected: "XYZ", stale: "yes" })).toEqual({
      columns: "lr",
    });
    expect(validateExperimentsSearch({ filter: 3, stale: "true" })).toEqual({ filter: "3", stale: true });
    expect(validateExperimentsSearch({ filter: { a: 1 } })).toEqual({});
  });
});
