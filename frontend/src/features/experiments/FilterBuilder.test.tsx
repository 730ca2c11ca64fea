import { fireEvent, screen, within } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { renderWithProviders } from "@/test/render";
import { FilterBuilder } from "./FilterBuilder";

const FIELDS = {
  fqn: "pipe.Train",
  fields: [
    { path: "lr", kinds: ["num"], distinct: 3, values: [{ value: "0.1", count: 2 }, { value: "0.01", count: 1 }, { value: "0.001", count: 1 }] },
    { path: "data.name", kinds: ["text"], distinct: 500, values: [{ value: "toy", count: 9 }] },
  ],
};

/** The builder as the page uses it: the text it reports becomes its value (the URL). */
function Harness({ initial, onChange }: { initial: string; onChange: (text: string) => void }) {
  const [value, setValue] = useState(initial);
  return (
    <FilterBuilder
      value={value}
      onChange={(text) => {
        onChange(text);
        setValue(text);
      }}
    />
  );
}

function setup(initial: string) {
  const onChange = vi.fn();
  renderWithProviders(<Harness initial={initial} onChange={onChange} />, {
    queryData: [
      [["fields", "pipe.Train"], FIELDS],
      [["fields", null], { fqn: null, fields: [] }],
    ],
  });
  return onChange;
}

describe("FilterBuilder", () => {
  it("shows the text's terms as rows, and the text itself", async () => {
    setup("status=failed class=pipe.Train lr>1e-3");
    const terms = await screen.findAllByTestId("filter-term");
    expect(terms).toHaveLength(3);
    expect(within(terms[0]!).getByTestId("filter-key")).toHaveValue("status");
    expect(within(terms[0]!).getByTestId("filter-value")).toHaveValue("failed"); // a dropdown of statuses
    expect(within(terms[2]!).getByTestId("filter-op")).toHaveValue(">");
    expect(screen.getByTestId("filter-text")).toHaveValue("status=failed class=pipe.Train lr>1e-3");
  });

  it("adds a filter, then another, and writes the furu ls text", async () => {
    const onChange = setup("class=pipe.Train");
    fireEvent.click(await screen.findByTestId("filter-add"));
    let rows = screen.getAllByTestId("filter-term");
    fireEvent.change(within(rows[1]!).getByTestId("filter-key"), { target: { value: "lr" } });
    fireEvent.blur(within(rows[1]!).getByTestId("filter-key"));
    // lr has 3 distinct values: a dropdown
    const lrValue = within(screen.getAllByTestId("filter-term")[1]!).getByTestId("filter-value");
    expect(lrValue.tagName).toBe("SELECT");
    expect([...lrValue.querySelectorAll("option")].map((o) => o.textContent)).toEqual(["…", "0.1", "0.01", "0.001"]);
    fireEvent.change(lrValue, { target: { value: "0.01" } });
    expect(onChange).toHaveBeenLastCalledWith("class=pipe.Train lr=0.01");

    fireEvent.click(screen.getByTestId("filter-add"));
    rows = screen.getAllByTestId("filter-term");
    expect(rows).toHaveLength(3);
    fireEvent.change(within(rows[2]!).getByTestId("filter-key"), { target: { value: "data.name" } });
    fireEvent.blur(within(rows[2]!).getByTestId("filter-key"));
    const nameValue = within(screen.getAllByTestId("filter-term")[2]!).getByTestId("filter-value");
    expect(nameValue.tagName).toBe("INPUT"); // 500 distinct values: typed, with suggestions
    fireEvent.change(nameValue, { target: { value: "my toy set" } });
    fireEvent.keyDown(nameValue, { key: "Enter" });
    expect(onChange).toHaveBeenLastCalledWith("class=pipe.Train lr=0.01 data.name=my toy set");
    expect(screen.getByTestId("filter-text")).toHaveValue("class=pipe.Train lr=0.01 data.name=my toy set");

    fireEvent.change(within(screen.getAllByTestId("filter-term")[1]!).getByTestId("filter-op"), { target: { value: ">=" } });
    expect(onChange).toHaveBeenLastCalledWith("class=pipe.Train lr>=0.01 data.name=my toy set");
    fireEvent.click(within(screen.getAllByTestId("filter-term")[0]!).getByTestId("filter-remove"));
    expect(onChange).toHaveBeenLastCalledWith("lr>=0.01 data.name=my toy set");
  });

  it("takes edited text and rebuilds its rows from it", async () => {
    const onChange = setup("");
    const text = await screen.findByTestId("filter-text");
    expect(screen.queryAllByTestId("filter-term")).toHaveLength(0);
    fireEvent.change(text, { target: { value: "tag=best  runtime>1h" } });
    fireEvent.submit(text.closest("form")!);
    expect(onChange).toHaveBeenLastCalledWith("tag=best  runtime>1h");
    const rows = screen.getAllByTestId("filter-term");
    expect(rows.map((r) => within(r).getByTestId("filter-value")).map((v) => (v as HTMLInputElement).value)).toEqual(["best", "1h"]);
  });

  it("leaves or/not filters to the text box, and shows the server's reason for a bad filter", async () => {
    renderWithProviders(<FilterBuilder value="status=failed or tag=best" onChange={() => {}} error="Cannot read filter 'x'" />, {
      queryData: [[["fields", null], { fqn: null, fields: [] }]],
    });
    expect(await screen.findByTestId("filter-text-only")).toBeInTheDocument();
    expect(screen.queryByTestId("filter-add")).toBeNull();
    expect(screen.getByTestId("filter-error")).toHaveTextContent("Cannot read filter 'x'");
    expect(screen.getByTestId("filter-text")).toHaveAttribute("aria-invalid", "true");
  });
});
