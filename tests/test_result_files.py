"""furu.result_files: each format read into columns, nothing read outside the artifact, caps, down-sampling."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from furu.errors import FuruNotFound
from furu.result_files import ResultFile, ResultFileError, downsample, list_result_files, read_table


@pytest.fixture
def artifact(tmp_path: Path) -> Path:
    root = tmp_path / "data" / "lab" / "Train" / ("a" * 32)
    (root / ".furu").mkdir(parents=True)
    return root


def test_json_object_is_one_row_of_its_leaves(artifact: Path) -> None:
    (artifact / "metrics.json").write_text(json.dumps(
        {"loss": 0.25, "eval": {"acc": 0.9, "per_class": [0.8, 1]}, "name": "run", "ok": True, "nan": float("nan"), "none": None}
    ))
    table = read_table(artifact, "metrics.json")
    assert table.rows == 1
    assert table.columns == {
        "loss": [0.25], "eval.acc": [0.9], "eval.per_class.0": [0.8], "eval.per_class.1": [1.0],
        "name": ["run"], "ok": [1.0], "nan": [None], "none": [None],
    }
    assert table.numeric() == ["loss", "eval.acc", "eval.per_class.0", "eval.per_class.1", "ok"]


def test_json_list_of_objects_is_rows_and_a_list_of_numbers_a_value_column(artifact: Path) -> None:
    (artifact / "history.json").write_text(json.dumps([{"step": 1, "loss": 2.0}, {"step": 2, "extra": 1}]))
    (artifact / "losses.json").write_text("[3, 2.5, 1e400]")
    table = read_table(artifact, "history.json")
    assert table.rows == 2 and table.columns == {"step": [1.0, 2.0], "loss": [2.0, None], "extra": [None, 1.0]}
    assert read_table(artifact, "losses.json").columns == {"value": [3.0, 2.5, None]}


def test_jsonl_reads_one_row_per_object_line_and_counts_the_rest(artifact: Path) -> None:
    (artifact / "history.jsonl").write_text('{"epoch": 1, "loss": 0.5}\n\nnot json\n[1, 2]\n{"epoch": 2, "loss": 0.25}\n')
    table = read_table(artifact, "history.jsonl")
    assert table.columns == {"epoch": [1.0, 2.0], "loss": [0.5, 0.25]}
    assert table.rows == 2 and table.skipped == 2 and not table.truncated


def test_csv_and_tsv_columns_parse_numbers_and_keep_text(artifact: Path) -> None:
    (artifact / "per_class.csv").write_text("class,accuracy,count\ncat,0.9,10\ndog,,x\nbird,0.7\n")
    (artifact / "scores.tsv").write_text("split\tf1\ntest\t0.5\n")
    table = read_table(artifact, "per_class.csv")
    assert table.columns == {"class": ["cat", "dog", "bird"], "accuracy": [0.9, None, 0.7], "count": [10.0, "x", None]}
    assert table.numeric() == ["accuracy", "count"]
    assert read_table(artifact, "scores.tsv").columns == {"split": ["test"], "f1": [0.5]}


def test_parquet_through_pyarrow(artifact: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

    pq.write_table(pa.Table.from_pylist([{"epoch": 1, "loss": 0.5}, {"epoch": 2, "loss": 0.25}]), artifact / "h.parquet")
    assert read_table(artifact, "h.parquet").columns == {"epoch": [1.0, 2.0], "loss": [0.5, 0.25]}
    assert read_table(artifact, "h.parquet", max_rows=1).truncated


def test_parquet_without_pyarrow_says_how_to_install_it(artifact: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    (artifact / "h.parquet").write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ResultFileError, match=r"needs pyarrow, which is not installed: pip install pyarrow"):
        read_table(artifact, "h.parquet")


def test_a_symlink_out_of_the_artifact_is_refused(artifact: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.json"
    outside.write_text('{"token": 1}')
    os.symlink(outside, artifact / "escape.json")
    (artifact / "sub").mkdir()
    os.symlink(tmp_path, artifact / "sub" / "up")
    with pytest.raises(ResultFileError, match="leads outside the artifact"):
        read_table(artifact, "escape.json")
    with pytest.raises(ResultFileError, match="leads outside the artifact"):
        read_table(artifact, "sub/up/secret.json")


def test_a_symlink_inside_the_artifact_is_read(artifact: Path) -> None:
    (artifact / "metrics.json").write_text('{"a": 1}')
    os.symlink("metrics.json", artifact / "latest.json")
    assert read_table(artifact, "latest.json").columns == {"a": [1.0]}


@pytest.mark.parametrize("path", ["../x.json", "/etc/passwd.json", "a//b.json", "./m.json", "a\\b.json", "m\x00.json", ""])
def test_paths_that_are_not_plain_are_refused(artifact: Path, path: str) -> None:
    with pytest.raises(ResultFileError):
        read_table(artifact, path)


def test_a_fifo_is_refused_without_blocking(artifact: Path) -> None:
    os.mkfifo(artifact / "pipe.csv")
    with pytest.raises(ResultFileError, match="not a regular file"):
        read_table(artifact, "pipe.csv")


def test_missing_files_and_other_suffixes(artifact: Path) -> None:
    with pytest.raises(FuruNotFound, match="has no file 'gone.json'"):
        read_table(artifact, "gone.json")
    (artifact / "notes.txt").write_text("1")
    with pytest.raises(ResultFileError, match="not a result file"):
        read_table(artifact, "notes.txt")
    (artifact / "bad.json").write_text("{")
    with pytest.raises(ResultFileError, match="not valid JSON"):
        read_table(artifact, "bad.json")


def test_caps_on_bytes_and_rows(artifact: Path) -> None:
    (artifact / "big.csv").write_text("step,loss\n" + "".join(f"{i},{i / 10}\n" for i in range(1000)))
    cut = read_table(artifact, "big.csv", max_rows=10)
    assert cut.rows == 10 and cut.truncated and cut.columns["step"][-1] == 9.0
    with pytest.raises(ResultFileError, match="more than the 100 a chart reads"):
        read_table(artifact, "big.csv", max_bytes=100)
    (artifact / "big.jsonl").write_text("".join(f'{{"i": {i}}}\n' for i in range(50)))
    assert read_table(artifact, "big.jsonl", max_rows=5).columns == {"i": [0.0, 1.0, 2.0, 3.0, 4.0]}


def test_listing_skips_furu_dir_hidden_files_and_symlinked_directories(artifact: Path, tmp_path: Path) -> None:
    (artifact / ".furu" / "state.json").write_text("{}")
    (artifact / "metrics.json").write_text("{}")
    (artifact / ".hidden.csv").write_text("a\n")
    (artifact / "logs").mkdir()
    (artifact / "logs" / "history.jsonl").write_text("{}\n")
    (artifact / "logs" / "notes.txt").write_text("")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.csv").write_text("a\n")
    os.symlink(tmp_path / "elsewhere", artifact / "linked")
    assert list_result_files(artifact) == [
        ResultFile("logs/history.jsonl", "jsonl", 3), ResultFile("metrics.json", "json", 2),
    ]


def test_downsample_keeps_ends_and_spikes_and_leaves_short_series_alone() -> None:
    xs: list[float | str | None] = [float(i) for i in range(100_000)]
    ys: list[float | str | None] = [1.0] * 100_000
    ys[54_321] = 50.0
    ys[77_777] = -3.0
    x2, y2, cut = downsample(xs, ys, 10_000)
    assert cut and len(x2) <= 10_000 and len(x2) > 9_000
    assert x2[0] == 0.0 and x2[-1] == 99_999.0
    assert 50.0 in y2 and -3.0 in y2 and x2[y2.index(50.0)] == 54_321.0
    assert all(isinstance(a, float) and isinstance(b, float) and a < b for a, b in zip(x2, x2[1:]))  # still in order
    assert downsample(xs[:10_000], ys[:10_000], 10_000) == (xs[:10_000], ys[:10_000], False)
