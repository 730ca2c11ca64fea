import { describe, expect, it } from "vitest";
import { PAGE_SIZE, PAGES_AHEAD, pagesFor } from "./useExperiments";

describe("pagesFor", () => {
  it("asks for the first page alone until the total is known", () => {
    expect(pagesFor({ start: 0, end: 0 }, undefined)).toEqual([0]);
  });

  it("fetches the pages in view and PAGES_AHEAD beyond each edge", () => {
    const start = 50 * PAGE_SIZE + 10;
    const pages = pagesFor({ start, end: start + 30 }, 100_000);
    expect(pages).toEqual([0, ...Array.from({ length: 2 * PAGES_AHEAD + 1 }, (_, i) => 50 - PAGES_AHEAD + i)]);
  });

  it("jumps to the far end without the pages in between", () => {
    const pages = pagesFor({ start: 99_980, end: 99_999 }, 100_000);
    expect(pages).toEqual([0, 997, 998, 999]);
    expect(pages.length).toBeLessThan(10);
  });

  it("never asks beyond the last page", () => {
    expect(pagesFor({ start: 0, end: 40 }, 42)).toEqual([0]);
    expect(pagesFor({ start: 0, end: 0 }, 0)).toEqual([0]);
  });
});
