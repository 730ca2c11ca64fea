"""Input furu cannot hash (and so could not store) says so, naming the field, before anything is written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import furu
from conftest import run_python
from examples import Everything, PrepareData, Train
from furu.atomic import read_model
from furu.limits import MAX_JSON_DEPTH
from furu.metadata import Metadata
from test_roundtrip_property import Leaf


def nested_lists(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def test_a_list_that_contains_itself_names_the_field() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    with pytest.raises(furu.UnhashableValueError, match=r"field 'when\[1\]' of examples.Everything \(Everything.when\[1\]\): the list contains itself"):
        Everything(when=loop).furu_hash


def test_a_dict_that_contains_itself_deep_inside_names_the_path() -> None:
    loop: dict[str, Any] = {}
    loop["rows"] = [0, 1, 2, {"again": loop}]
    with pytest.raises(furu.UnhashableValueError, match=r"field 'when\['rows'\]\[3\]\['again'\]' .*the dict contains itself") as caught:
        Everything(when=loop).furu_hash
    assert caught.value.path == "when['rows'][3]['again']" and caught.value.fqn == "examples.Everything"
    assert isinstance(caught.value, furu.FuruError) and isinstance(caught.value, TypeError)


def test_nesting_deeper_than_json_readers_accept_is_refused_at_the_limit() -> None:
    deepest = MAX_JSON_DEPTH // 2  # a list opens at most two JSON levels (a tuple does)
    Everything(when=nested_lists(deepest)).furu_hash
    with pytest.raises(furu.UnhashableValueError, match=rf"field 'when\[0\]\[0\]\[0\]\[0\]\[0\].*\[0\]' .*nested more than {MAX_JSON_DEPTH} JSON levels"):
        Everything(when=nested_lists(deepest + 1)).furu_hash


def test_nesting_past_the_python_recursion_limit_is_refused_not_a_recursion_error() -> None:
    with pytest.raises(furu.UnhashableValueError, match="nested more than"):
        Everything(when=nested_lists(5000)).furu_hash


def test_a_long_chain_of_configs_hashes_bottom_up_and_stops_at_the_json_limit() -> None:
    chain: Any = None
    for _ in range(150):  # 150 steps, none hashed yet: hashed top-down in one call
        chain = Leaf(value=chain)
    assert len(chain.furu_hash) == 32
    too_long: Any = None
    for _ in range(MAX_JSON_DEPTH + 2):  # the outermost config's own object is not a level
        too_long = Leaf(value=too_long)
    with pytest.raises(furu.UnhashableValueError, match=r"field 'value.value.value.*' of test_roundtrip_property.Leaf .*nested more than"):
        too_long.furu_hash


def test_ints_longer_than_4300_characters_are_refused() -> None:
    assert len(Everything(when=10**4299).furu_hash) == 32  # 4300 digits: stored and read back
    for value in (-(10**4299), 10**5000):
        with pytest.raises(furu.UnhashableValueError, match=r"field 'when\[2\]' .*int is longer than 4300 characters"):
            Everything(when=[0, 1, value]).furu_hash


def test_lone_surrogates_are_refused_in_hashed_nested_and_skip_hash_fields() -> None:
    with pytest.raises(furu.UnhashableValueError, match=r"field 'when\['k'\]\[1\]' .*lone surrogate '\\ud800' at position 1"):
        Everything(when={"k": ["ok", "x\ud800"]}).furu_hash
    with pytest.raises(furu.UnhashableValueError, match=r"field 'data.name' of examples.Train \(Train.data.name\): the string has a lone surrogate"):
        Train(data=PrepareData(name="\udfff")).furu_hash
    with pytest.raises(furu.UnhashableValueError, match=r"field 'note' of examples.Train"):
        Train(note="\ud83d").furu_hash  # skip_hash: not hashed, but stored in metadata.json


def test_load_or_create_refuses_before_writing_anything(tmp_path: Path) -> None:
    root = tmp_path / "furu-data"
    result = run_python(
        "from examples import PrepareData, Train\nTrain(data=PrepareData(name='bad\\ud800')).load_or_create()",
        env={"FURU_PATH": str(root), "FURU_ARTIFACTS_PATH": str(root / "artifacts")},
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "furu.identity.UnhashableValueError: Cannot hash field 'data.name' of examples.Train" in result.stderr
    assert "RecursionError" not in result.stderr and "PydanticSerializationError" not in result.stderr
    written = [str(path.relative_to(root)) for path in root.rglob("*")] if root.exists() else []
    assert [path for path in written if "examples" in path] == []


def test_the_deepest_accepted_config_is_stored_and_read_back(furu_tmp_root: Path) -> None:
    obj = Everything(when=nested_lists(MAX_JSON_DEPTH // 2))
    obj.load_or_create()
    metadata = read_model(obj._paths().metadata, Metadata)
    assert Everything.from_dict(metadata.config).furu_hash == obj.furu_hash
    assert os.path.exists(obj._paths().success_str)


def test_a_chain_hashed_from_a_deep_stack_recovers_bottom_up() -> None:
    import sys

    def at_depth(n: int) -> str:
        return chain.furu_hash if n <= 0 else at_depth(n - 1)

    expected: Any = None
    chain: Any = None
    for _ in range(150):
        expected, chain = Leaf(value=expected), Leaf(value=chain)
    assert at_depth(sys.getrecursionlimit() - 700) == expected.furu_hash  # top-down needs ~750 frames
