import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LineageNode } from "@/lib/api";
import { renderWithProviders } from "@/test/render";
import { ConfigTree } from "./ConfigTree";
import { dependencyHashes } from "./configTree";

const CONFIG = {
  __class__: "pipe.Evaluate",
  model: {
    __class__: "pipe.FitRidge",
    data: { __class__: "pipe.MakeDataset", samples: 2000, seed: 0 },
    alpha: 100.0,
  },
  baselines: [
    { __class__: "pipe.FitRidge", data: { __class__: "pipe.MakeDataset", samples: 10, seed: 1 }, alpha: 1 },
  ],
  split: { train: 0.8, name: "default", shuffle: true, extra: null },
};

const node = (fqn: string, hash: string, children: LineageNode[] = [], edge: LineageNode["edge"] = "declared"): LineageNode => ({
  fqn, hash, status: "success", edge, repeated: false, children,
}); // prettier-ignore

const LINEAGE = node("pipe.Evaluate", "root", [
  node("pipe.Other", "loaded1", [], "loaded"),
  node("pipe.FitRidge", "fit1", [node("pipe.MakeDataset", "data1")]),
  node("pipe.FitRidge", "fit2", [node("pipe.MakeDataset", "data2")]),
]);

describe("dependencyHashes", () => {
  it("pairs each nested config with the artifact it is, in order, at any depth", () => {
    expect(Object.fromEntries(dependencyHashes(CONFIG, LINEAGE))).toEqual({
      model: "fit1",
      "model.data": "data1",
      "baselines.0": "fit2",
      "baselines.0.data": "data2",
    });
  });

  it("links nothing without a dependency tree, and nothing it cannot match", () => {
    expect(dependencyHashes(CONFIG, null).size).toBe(0);
    expect(dependencyHashes({ x: { __class__: "pipe.Unknown" } }, LINEAGE).size).toBe(0);
    expect(dependencyHashes("not a dict", LINEAGE).size).toBe(0);
  });
});

describe("ConfigTree", () => {
  it("shows values, folds deep levels, and links dependencies to their pages", async () => {
    renderWithProviders(<ConfigTree config={CONFIG} lineage={LINEAGE} />);
    const tree = await screen.findByTestId("config-tree");
    // scalars with their types; the __class__ key itself is not a row
    expect(within(tree).getByText('"default"')).toBeInTheDocument();
    expect(within(tree).getByText("0.8")).toBeInTheDocument();
    expect(within(tree).getByText("null")).toBeInTheDocument();
    expect(tree.querySelector('[data-path="__class__"]')).toBeNull();

    const links = within(tree).getAllByTestId("config-dep-link");
    expect(links.map((a) => a.getAttribute("href"))).toEqual([
      "/experiments/fit1",
      "/experiments/data1",
      "/experiments/fit2",
      "/experiments/data2",
    ]);

    // two levels open; baselines.0.data (the third level) shows its row and link, folded
    expect(tree.querySelector('[data-path="baselines.0.data"]')).not.toBeNull();
    expect(tree.querySelector('[data-path="baselines.0.data.samples"]')).toBeNull();
    const toggle = within(tree.querySelector('[data-path="baselines.0.data"]') as HTMLElement).getAllByTestId("config-toggle")[0]!;
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    fireEvent.click(toggle);
    expect(tree.querySelector('[data-path="baselines.0.data.samples"]')).toHaveTextContent("samples: 10");

    // folding a level hides what is under it
    fireEvent.click(within(tree.querySelector('[data-path="model"]') as HTMLElement).getAllByTestId("config-toggle")[0]!);
    expect(tree.querySelector('[data-path="model.alpha"]')).toBeNull();
  });

  it("says so when there is no config", async () => {
    renderWithProviders(<ConfigTree config={null} />);
    expect(await screen.findByText("No config recorded.")).toBeInTheDocument();
  });
});
