"""References: hash, prefix (ambiguous ones), paths, specs; errors and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from examples import PrepareData, Train

from furu.errors import FuruNotFound
from furu.refs import FuruAmbiguousRef, ref_kind, resolve_object, resolve_ref

from .cli_helpers import clone_artifact


def test_resolve_ref_by_hash_prefix_path_and_spec(made):
    for text in (made.train.furu_hash, made.train.furu_hash[:5].upper(), str(made.train.furu_dir),
                 str(made.train.furu_dir / "result.txt"), "examples:Train", "examples:Train lr=0.001 data.name=toy"):
        record = resolve_ref(text)
        assert (record.fqn, record.hash, record.status) == ("examples.Train", made.train.furu_hash, "success"), text
        assert record.config is not None and record.details_loaded
    assert resolve_ref(["examples:PrepareData", "name=b"]).hash == made.b.furu_hash
    assert ref_kind("abc123") == "hash"
    assert ref_kind("examples:Train lr=1") == "spec"
    assert ref_kind("./furu-data") == "path"


def test_resolve_object_rebuilds_the_config(made):
    assert resolve_object(made.train.furu_hash[:8]) == Train()
    assert resolve_object("examples:Train lr=0.5") == Train(lr=0.5)


def test_ambiguous_prefix_lists_candidates(furu_cli, made):
    twin = made.a.furu_hash[:6] + "0" * 26
    clone_artifact(made.a.furu_dir, twin)
    with pytest.raises(FuruAmbiguousRef) as caught:
        resolve_ref(made.a.furu_hash[:6])
    assert {c.hash for c in caught.value.candidates} == {made.a.furu_hash, twin}
    result = furu_cli("show", made.a.furu_hash[:6], code=1)
    assert result.stderr.startswith(f"error: Hash prefix '{made.a.furu_hash[:6]}' matches 2 artifacts: ")
    assert made.a.furu_hash in result.stderr and twin in result.stderr
    assert result.stderr.strip().endswith("Type more characters.")
    assert len(result.stderr.strip().splitlines()) == 1
    assert resolve_ref(twin).hash == twin  # a full hash is never ambiguous


def test_not_found_errors_say_what_to_do(furu_cli, made):
    with pytest.raises(FuruNotFound, match="has not been created yet"):
        resolve_ref("examples:Train lr=0.75")
    assert "No artifact hash starts with 'ffff'" in furu_cli("show", "ffff", code=1).stderr
    assert "not a hash prefix, an existing path or a config spec" in furu_cli("show", "no/such/dir", code=1).stderr
    assert "not a hash prefix, an existing path" in furu_cli("show", "~no-such-user-here/x", code=1).stderr
    assert "is not inside an artifact directory" in furu_cli("show", ".", code=1).stderr
    assert "Train has no field 'lrr'. Did you mean 'lr'?" in furu_cli("show", "examples:Train", "lrr=1", code=1).stderr
    assert "Cannot import nosuch:Thing" in furu_cli("show", "nosuch:Thing", code=1).stderr


def test_exit_codes_and_debug(furu_cli, made):
    result = furu_cli("show", "ffff", code=1)
    assert result.stdout == "" and "Traceback" not in result.stderr
    debug = furu_cli("--debug", "show", "ffff", code=1)
    assert isinstance(debug.exception, FuruNotFound)
    furu_cli("--no-such-option", code=1)
    furu_cli("no-such-command", code=1)
    furu_cli("show", code=1)  # missing argument
    furu_cli("du", "--by", "colour", code=1)


def test_cli_output_on_empty_project(furu_cli):
    assert furu_cli.json("ls") == []
    assert furu_cli("ls").stdout.strip() == "0 shown, 0 matching, 0 artifacts"
    assert PrepareData().exists() is False
    assert not Path("furu-data").exists()  # looking creates nothing
