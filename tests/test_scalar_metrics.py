"""furu.result_files.scalar_metrics: the numbers in an artifact's top-level JSON files, by dotted name."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from furu import result_files
from furu.result_files import json_result_files, scalar_metrics


def write(directory: Path, name: str, data: object) -> Path:
    path = directory / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_numeric_leaves_of_every_top_level_json_file_by_dotted_name(tmp_path: Path) -> None:
    write(tmp_path, "metrics.json", {"loss": 0.0182, "accuracy": 0.9909, "eval": {"acc": 0.9, "n": 120}})
    write(tmp_path, "b.json", {"per_class": [0.5, 0.25], "pairs": [{"f1": 0.75}]})
    assert scalar_metrics(tmp_path) == {
        "b.per_class.0": 0.5, "b.per_class.1": 0.25, "b.pairs.0.f1": 0.75,
        "metrics.loss": 0.0182, "metrics.accuracy": 0.9909, "metrics.eval.acc": 0.9, "metrics.eval.n": 120.0,
    }  # fmt: skip
    assert list(scalar_metrics(tmp_path)) == [  # files by name, keys as written
        "b.per_class.0", "b.per_class.1", "b.pairs.0.f1", "metrics.loss", "metrics.accuracy", "metrics.eval.acc", "metrics.eval.n",
    ]  # fmt: skip
    assert all(type(value) is float for value in scalar_metrics(tmp_path).values())


def test_only_numbers_count_not_text_booleans_or_null(tmp_path: Path) -> None:
    write(tmp_path, "stats.json", {"rows": 200, "name": "mnist", "ok": True, "none": None, "classes": 3, "empty": {}, "list": []})
    assert scalar_metrics(tmp_path) == {"stats.rows": 200.0, "stats.classes": 3.0}


def test_a_bare_number_or_a_list_at_the_top(tmp_path: Path) -> None:
    write(tmp_path, "score.json", "0.5")
    write(tmp_path, "curve.json", [1, 2, "x", 3])
    assert scalar_metrics(tmp_path) == {"curve.0": 1.0, "curve.1": 2.0, "curve.3": 3.0, "score": 0.5}


def test_nan_and_infinities_are_kept_and_huge_integers_become_infinite(tmp_path: Path) -> None:
    write(tmp_path, "m.json", '{"loss": NaN, "up": Infinity, "down": -Infinity, "big": ' + "9" * 400 + ', "neg": -' + "9" * 400 + "}")
    found = scalar_metrics(tmp_path)
    assert math.isnan(found["m.loss"])
    assert found["m.up"] == math.inf and found["m.down"] == -math.inf
    assert found["m.big"] == math.inf and found["m.neg"] == -math.inf


def test_what_is_not_read(tmp_path: Path) -> None:
    write(tmp_path, "good.json", {"a": 1})
    write(tmp_path, "bad.json", '{"a": 1,')  # invalid JSON: left out
    write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)  # recursion: left out
    write(tmp_path, "notes.txt", '{"a": 2}')  # not .json
    write(tmp_path, ".hidden.json", {"a": 3})
    (tmp_path / ".furu").mkdir()
    write(tmp_path / ".furu", "state.json", {"a": 4})  # furu's own files
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "nested.json", {"a": 5})  # only the top level
    (tmp_path / "dir.json").mkdir()  # a directory named like a file
    outside = write(tmp_path.parent, f"{tmp_path.name}-outside.json", {"secret": 6})
    os.symlink(outside, tmp_path / "link.json")  # never through a symlink
    os.mkfifo(tmp_path / "fifo.json")  # never waits on a FIFO
    assert scalar_metrics(tmp_path) == {"good.a": 1.0}
    assert [path.name for path in json_result_files(tmp_path)] == ["bad.json", "deep.json", "good.json"]


def test_a_missing_directory_or_a_file_given_is_empty(tmp_path: Path) -> None:
    assert scalar_metrics(tmp_path / "nothing") == {}
    assert scalar_metrics(write(tmp_path, "x.json", {"a": 1})) == {}


def test_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "long.json", {"series": list(range(500))})
    assert len(scalar_metrics(tmp_path)) == result_files.MAX_LIST_ITEMS
    monkeypatch.setattr(result_files, "MAX_METRICS", 3)
    write(tmp_path, "more.json", {"a": 1, "b": 2})
    assert scalar_metrics(tmp_path) == {"long.series.0": 0.0, "long.series.1": 1.0, "long.series.2": 2.0}
    monkeypatch.setattr(result_files, "MAX_METRIC_FILE_BYTES", 10)
    write(tmp_path, "small.json", {"a": 1})
    assert scalar_metrics(tmp_path) == {"small.a": 1.0}  # the two larger files are skipped unread


def test_a_file_growing_past_the_limit_after_the_listing_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "grows.json", {"a": 1})
    listed = json_result_files(tmp_path)
    path.write_text(json.dumps({"a": list(range(100))}))
    monkeypatch.setattr(result_files, "MAX_METRIC_FILE_BYTES", 20)
    monkeypatch.setattr(result_files, "json_result_files", lambda _: listed)
    assert scalar_metrics(tmp_path) == {}
