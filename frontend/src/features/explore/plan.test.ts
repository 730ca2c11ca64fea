import { describe, expect, it } from "vitest";
import { exploreCommand, hasArtifact, type PlanNode, planNodes } from "./plan";

const node = (hash: string, status: PlanNode["status"], dependencies: PlanNode[] = []): PlanNode => ({
  fqn: `lab.steps.${hash}`, hash, path: `/d/${hash}`, status, last_attempt: null, dependencies,
});

describe("explore helpers", () => {
  it("lists a shared dependency once", () => {
    const data = node("data", "cached");
    const plan = node("report", "missing", [node("model", "missing", [data]), data]);
    expect(planNodes(plan).map((n) => n.hash)).toEqual(["report", "model", "data"]);
  });
  it("links every status but missing, and names the CLI", () => {
    expect(["cached", "missing", "running", "failed"].map((s) => hasArtifact(s as PlanNode["status"]))).toEqual([true, false, true, true]);
    expect(exploreCommand()).toBe("python -m furu.explore");
    expect(exploreCommand("lab.sweeps")).toBe("python -m furu.explore lab.sweeps");
  });
});
