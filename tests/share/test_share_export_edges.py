"""Exports that cannot take everything: a dependency gone from disk, a symlink leading outside."""

from __future__ import annotations

import json
import os
import shutil
import tarfile
from pathlib import Path

import furu
from examples import PrepareData, Train
from furu.metadata import DependencyRef


def manifest_of(bundle: Path) -> dict:
    with tarfile.open(bundle) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return json.loads(member.read())


def test_a_dependency_missing_on_disk_is_left_out_and_listed(furu_tmp_root: Path, tmp_path: Path) -> None:
    train = Train(lr=0.3)
    train.load_or_create()
    shutil.rmtree(train.data.furu_dir)
    report = furu.export([train], tmp_path / "train.furu.tar", code="none")
    assert report.missing_dependencies == [DependencyRef(fqn="examples.PrepareData", hash=PrepareData().furu_hash)]
    assert report.warnings == [
        f"dependency examples.PrepareData {PrepareData().furu_hash[:8]} of examples.Train "
        f"{train.furu_hash[:8]} is not on disk; left out"
    ]
    assert [(e.fqn, e.requested) for e in report.experiments] == [("examples.Train", True)]
    manifest = manifest_of(report.path)
    assert [e["fqn"] for e in manifest["experiments"]] == ["examples.Train"]
    assert manifest["missing_dependencies"] == [{"fqn": "examples.PrepareData", "hash": PrepareData().furu_hash}]


def test_a_symlink_leading_outside_the_artifact_is_left_out(furu_tmp_root: Path, tmp_path: Path) -> None:
    data = PrepareData(name="linked")
    data.load_or_create()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for export\n")
    os.symlink(secret, data.furu_dir / "escape")
    os.symlink("data.csv", data.furu_dir / "inside")
    report = furu.export([data], tmp_path / "data.furu.tar", code="none")
    assert report.warnings == [
        f"examples.PrepareData {data.furu_hash[:8]}: escape: a symlink to {secret}, outside the artifact; left out"
    ]
    files = {f["path"]: f["kind"] for f in manifest_of(report.path)["experiments"][0]["files"]}
    assert "escape" not in files
    assert files["inside"] == "symlink" and files["data.csv"] == "file"
