import { fireEvent, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { actionFor, clampCursor, isTyping, moveCursor, SHORTCUTS, useKeyboard } from "./keyboard";

function element(html: string): HTMLElement {
  const holder = document.createElement("div");
  holder.innerHTML = html;
  document.body.append(holder);
  return holder.querySelector("[data-target]") as HTMLElement;
}

afterEach(() => {
  document.body.innerHTML = "";
});

describe("actionFor", () => {
  it("maps every documented key to its action", () => {
    const keys = Object.fromEntries(SHORTCUTS.flatMap((s) => s.keys.map((key) => [key, actionFor({ key, target: document.body })])));
    expect(keys).toEqual({
      j: "down", ArrowDown: "down", k: "up", ArrowUp: "up", g: "top", G: "bottom", Enter: "open",
      x: "toggle", c: "compare", "/": "filter", "?": "help",
    });
    expect(actionFor({ key: "q", target: document.body })).toBeNull();
    expect(actionFor({ key: "J", target: document.body })).toBeNull(); // shift-j is not j
  });

  it("leaves keys alone while typing in a field", () => {
    for (const html of [
      '<input data-target />',
      '<input type="search" data-target />',
      '<textarea data-target></textarea>',
      '<select data-target><option>a</option></select>',
      '<div contenteditable="true"><span data-target>x</span></div>',
    ]) {
      expect(actionFor({ key: "j", target: element(html) }), html).toBeNull();
      expect(actionFor({ key: "/", target: element(html) }), html).toBeNull();
    }
    // a checkbox input is not a text field: x on it still selects the focused row
    expect(actionFor({ key: "x", target: element('<input type="checkbox" data-target />') })).toBe("toggle");
  });

  it("leaves keys alone with a modifier held or inside a dialog", () => {
    expect(actionFor({ key: "c", ctrlKey: true, target: document.body })).toBeNull();
    expect(actionFor({ key: "c", metaKey: true, target: document.body })).toBeNull();
    expect(actionFor({ key: "g", altKey: true, target: document.body })).toBeNull();
    expect(actionFor({ key: "j", isComposing: true, target: document.body })).toBeNull();
    expect(actionFor({ key: "j", target: element('<div role="dialog"><button data-target>ok</button></div>') })).toBeNull();
  });

  it("lets a focused button or link have its own Enter, but not its other keys", () => {
    const button = element("<button data-target>Clear</button>");
    expect(actionFor({ key: "Enter", target: button })).toBeNull();
    expect(actionFor({ key: "j", target: button })).toBe("down");
    expect(actionFor({ key: "Enter", target: element('<a href="/x" data-target>x</a>') })).toBeNull();
    expect(actionFor({ key: "Enter", target: element('<button role="checkbox" data-target></button>') })).toBeNull();
    expect(actionFor({ key: "Enter", target: element('<div tabindex="0" data-target>table</div>') })).toBe("open");
  });
});

describe("isTyping", () => {
  it("knows text fields from other inputs", () => {
    expect(isTyping(element('<input type="text" data-target />'))).toBe(true);
    expect(isTyping(element('<input type="radio" data-target />'))).toBe(false);
    expect(isTyping(element("<button data-target>b</button>"))).toBe(false);
    expect(isTyping(null)).toBe(false);
    expect(isTyping(window)).toBe(false);
  });
});

describe("moveCursor", () => {
  it("starts at the first row and stays inside the rows", () => {
    expect(moveCursor(null, "down", 5)).toBe(0);
    expect(moveCursor(null, "up", 5)).toBe(0);
    expect(moveCursor(0, "down", 5)).toBe(1);
    expect(moveCursor(4, "down", 5)).toBe(4);
    expect(moveCursor(0, "up", 5)).toBe(0);
    expect(moveCursor(3, "up", 5)).toBe(2);
    expect(moveCursor(3, "top", 5)).toBe(0);
    expect(moveCursor(null, "bottom", 100_000)).toBe(99_999);
    expect(moveCursor(2, "down", 0)).toBeNull();
  });

  it("clamps a cursor after the rows shrank", () => {
    expect(clampCursor(40, 10)).toBe(9);
    expect(clampCursor(3, 10)).toBe(3);
    expect(clampCursor(3, 0)).toBeNull();
    expect(clampCursor(null, 10)).toBeNull();
  });
});

describe("useKeyboard", () => {
  it("calls the handler, prevents the default, and ignores keys typed in a field", () => {
    const down = vi.fn();
    const filter = vi.fn();
    renderHook(() => useKeyboard({ down, filter }));
    expect(fireEvent.keyDown(window, { key: "j" })).toBe(false); // default prevented
    expect(down).toHaveBeenCalledTimes(1);
    expect(fireEvent.keyDown(window, { key: "/" })).toBe(false);
    expect(filter).toHaveBeenCalledTimes(1);
    expect(fireEvent.keyDown(window, { key: "x" })).toBe(true); // no handler: left alone
    const input = element('<input data-target />');
    fireEvent.keyDown(input, { key: "j" });
    expect(down).toHaveBeenCalledTimes(1);
  });

  it("leaves a text field on Escape, and does nothing while disabled", () => {
    const down = vi.fn();
    const { rerender } = renderHook(({ on }) => useKeyboard({ down }, on), { initialProps: { on: true } });
    const input = element('<input data-target />');
    input.focus();
    expect(document.activeElement).toBe(input);
    fireEvent.keyDown(input, { key: "Escape" });
    expect(document.activeElement).not.toBe(input);
    rerender({ on: false });
    fireEvent.keyDown(window, { key: "j" });
    expect(down).not.toHaveBeenCalled();
  });

  it("uses the latest handlers without rebinding", () => {
    const first = vi.fn();
    const second = vi.fn();
    const { rerender } = renderHook(({ down }) => useKeyboard({ down }), { initialProps: { down: first } });
    rerender({ down: second });
    fireEvent.keyDown(window, { key: "j" });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
  });
});
