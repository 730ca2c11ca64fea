"""Tables fit an 80-column terminal: one line per row, the right-hand cells cut with an ellipsis."""

from __future__ import annotations

from pathlib import Path

from throwaway import STEPS, create, furu, make_project

LONG = STEPS + '''

class Essay(furu.Furu[str]):
    words: int = 200

    def _create(self) -> str:
        text = "\\n".join(f"line {i} of a long markdown report" for i in range(self.words))
        (self.furu_dir / "essay.md").write_text(text)
        return text

    def _load(self) -> str:
        return (self.furu_dir / "essay.md").read_text()
'''


def test_run_and_ls_path_fit_80_columns(tmp_path: Path) -> None:
    lab = make_project(tmp_path / "lab", LONG)
    create(lab, "Report()")
    run = furu(lab, "run", "lab.steps:Essay", COLUMNS="80").stdout.splitlines()
    assert len(run) == 2 and all(len(line) <= 80 for line in run), run
    assert run[1].split()[2] == "created" and "…" in run[1]
    assert run[1].startswith("(defaults)  ")  # a short cell is not cut to make room for the long ones
    listed = furu(lab, "ls", "--path", COLUMNS="80").stdout.splitlines()
    rows = listed[1:-1]
    assert len(rows) == 4 and all(len(line) <= 80 for line in listed), listed
    assert all(line.rstrip().endswith("…") and "furu-data/" in line for line in rows)
    long_config = furu(lab, "run", "lab.steps:Data", f"name={'x' * 150}", COLUMNS="80").stdout.splitlines()
    assert len(long_config) == 2 and all(len(line) <= 80 for line in long_config), long_config
    wide = furu(lab, "ls", "--path", COLUMNS="250").stdout.splitlines()
    assert all("…" not in line for line in wide)  # nothing is cut when there is room
