"""Export from project A, import into project B at another path: results load, no recompute, time travel works."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest
import xxhash

import furu
from furu.share import FuruExportError, export, import_bundle
from furu.share.manifest import BundleManifest

from .conftest import MODEL_RESULT, PIPELINE, Shared, git, tree

LOAD_ALL = """
import json
from sharepipe import Corpus, Features, Model
print(json.dumps([Corpus().load_or_create(), Features().load_or_create(), Model().load_or_create()]))
"""
EXPECTED = ["word word word ", [8, 8, 8], MODEL_RESULT]


def manifest_of(bundle: Path) -> BundleManifest:
    with tarfile.open(bundle) as tar:
        names = tar.getnames()
        data = tar.extractfile("manifest.json").read()  # type: ignore[union-attr]
    assert names[0] == "furu-bundle.json" and names[-1] == "manifest.json"
    return BundleManifest.model_validate_json(data)


def test_the_bundle_lists_every_file_with_size_digest_and_how_to_rebuild(shared: Shared) -> None:
    manifest = manifest_of(shared.bundle)
    h = shared.hashes
    assert [(e.fqn, e.hash, e.requested, e.version_controlled) for e in manifest.experiments] == [
        ("sharepipe.Corpus", h["Corpus"], False, False),
        ("sharepipe.Features", h["Features"], False, False),
        ("sharepipe.Model", h["Model"], True, True),
    ]
    model, features = manifest.experiments[2], manifest.experiments[1]
    assert model.location == f"sharepipe/Model/{h['Model']}"
    assert model.member_prefix == f"artifacts/sharepipe/Model/{h['Model']}/"
    assert model.python == (
        "from sharepipe import Corpus, Features, Model\n\n"
        "Model(features=Features(corpus=Corpus(size=3), scale=2), lr=0.5)\n"
    )
    assert model.config == {
        "__class__": "sharepipe.Model",
        "features": {
            "__class__": "sharepipe.Features",
            "corpus": {"__class__": "sharepipe.Corpus", "size": 3},
            "scale": 2,
        },
        "lr": 0.5,
    }
    assert model.snapshot_id == shared.snapshot
    files = {f.path: f for f in features.files}
    assert sorted(files) == [
        ".furu",
        ".furu/config.json",
        ".furu/events.jsonl",
        ".furu/furu.log",
        ".furu/metadata.json",
        ".furu/state.json",
        ".furu/success.json",
        "features.json",
        "latest",
        "nested",
        "nested/deep",
        "nested/deep/blob.bin",
    ]
    blob = files["nested/deep/blob.bin"]
    assert (blob.kind, blob.size, blob.xxh3_128) == ("file", 10240, xxhash.xxh3_128_hexdigest(bytes(range(256)) * 40))
    assert (files["latest"].kind, files["latest"].target) == ("symlink", "features.json")
    assert [(f.path, f.pickle_format) for f in model.files if f.unpickles_code] == [("model.pkl", "pickle")]
    assert manifest.code is not None and manifest.code.snapshot_ids == [shared.snapshot]
    assert (manifest.missing_snapshot_ids, manifest.missing_dependencies) == ([], [])


def test_the_code_bundle_is_a_standard_git_bundle(shared: Shared, tmp_path: Path) -> None:
    with tarfile.open(shared.bundle) as tar:
        (tmp_path / "code.bundle").write_bytes(tar.extractfile("code.bundle").read())  # type: ignore[union-attr]
    fresh = tmp_path / "fresh"
    git(tmp_path, "init", "-q", str(fresh))
    out = subprocess.run(
        ["git", "bundle", "verify", str(tmp_path / "code.bundle")], cwd=fresh, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert f"{shared.snapshot} refs/furu/snapshots/{shared.snapshot}" in out.stdout
    git(fresh, "fetch", "-q", str(tmp_path / "code.bundle"), "refs/furu/*:refs/furu/*")
    assert git(fresh, "show", f"{shared.snapshot}:sharepipe.py") == PIPELINE.replace('"v1"', '"v1-uncommitted"').strip()


def test_round_trip_into_a_clone_at_another_path(shared: Shared, project_b: Path, tmp_path: Path) -> None:
    h = shared.hashes
    from sharepipe import Model  # type: ignore[import-not-found]

    missing = subprocess.run(["git", "cat-file", "-e", shared.snapshot], cwd=project_b, capture_output=True)
    assert missing.returncode != 0  # the clone lacks A's snapshot: only the bundle has it

    report = import_bundle(shared.bundle)

    assert [(e.fqn, e.action, e.reason) for e in report.experiments] == [
        ("sharepipe.Corpus", "imported", None),
        ("sharepipe.Features", "imported", None),
        ("sharepipe.Model", "imported", None),
    ]
    assert [e.dir for e in report.experiments] == [
        str(project_b / "furu-data" / "data" / "sharepipe" / "Corpus" / h["Corpus"]),
        str(project_b / "furu-data" / "data" / "sharepipe" / "Features" / h["Features"]),
        str(project_b / "furu-data" / "artifacts" / "sharepipe" / "Model" / h["Model"]),
    ]
    assert report.experiments[2].unpickles_code == ["model.pkl (pickle)"]
    assert (report.code.fetched, report.code.already_present) == ([shared.snapshot], [])
    assert git(project_b, "rev-parse", f"refs/furu/snapshots/{shared.snapshot}") == shared.snapshot
    assert (
        os.readlink(project_b / "furu-data" / "data" / "sharepipe" / "Features" / h["Features"] / "latest")
        == "features.json"
    )
    assert not [name for name in os.listdir(project_b / "furu-data" / "data") if name.startswith(".")]

    # The manifest's Python snippet and JSON config both rebuild the same config here.
    entry = manifest_of(shared.bundle).experiments[2]
    *imports, expression = entry.python.strip().split("\n")
    namespace: dict[str, object] = {}
    exec("\n".join(imports), namespace)  # noqa: S102 - the snippet is ours
    assert eval(expression, namespace).furu_hash == h["Model"]  # noqa: S307
    assert furu.Furu.from_dict(entry.config).furu_hash == h["Model"]

    # A fresh process in B: every result loads, no _create runs.
    calls = tmp_path / "calls-b.txt"
    loaded = shared.run_in(project_b, LOAD_ALL, calls=calls)
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout) == EXPECTED
    assert not calls.exists()

    origin = Model().get_metadata().imported_from
    assert origin is not None
    assert (origin.bundle, origin.exported_from_dir) == (
        "full.furu.tar",
        str(shared.repo / "furu-data" / "artifacts" / "sharepipe" / "Model" / h["Model"]),
    )
    assert origin.exported_at == report.exported_at

    # Time travel in B brings back A's uncommitted code.
    worktree = furu.timetravel(Model(), tmp_path / "back")
    assert (worktree / "sharepipe.py").read_text() == PIPELINE.replace('VERSION = "v1"', 'VERSION = "v1-uncommitted"')
    assert git(worktree, "rev-parse", "HEAD") == shared.snapshot


def test_importing_again_skips_identical_artifacts(shared: Shared, project_b: Path) -> None:
    import_bundle(shared.bundle)
    before = tree(project_b / "furu-data")
    again = import_bundle(shared.bundle)
    assert [(e.action, e.reason) for e in again.experiments] == [("skipped", "an identical result is already here")] * 3
    assert (again.code.fetched, again.code.already_present) == ([], [shared.snapshot])
    assert tree(project_b / "furu-data") == before


def test_same_hash_different_content_is_refused_unless_overwrite(
    shared: Shared, project_b: Path, tmp_path: Path
) -> None:
    # B computes the pipeline itself with its committed code: Model's result differs ("v1"), the rest is identical.
    calls = tmp_path / "calls-b.txt"
    made = shared.run_in(project_b, LOAD_ALL, calls=calls)
    assert made.returncode == 0, made.stderr
    assert calls.read_text().split() == ["Corpus", "Features", "Model"]
    from sharepipe import Model  # type: ignore[import-not-found]

    report = import_bundle(shared.bundle)
    assert [(e.fqn, e.action) for e in report.experiments] == [
        ("sharepipe.Corpus", "skipped"),
        ("sharepipe.Features", "skipped"),
        ("sharepipe.Model", "refused"),
    ]
    assert report.experiments[2].reason == (
        "a different result with the same hash is already here (model.pkl differs); --overwrite replaces it"
    )
    assert Model().load_or_create()["code"] == "v1"
    assert Model().get_metadata().imported_from is None

    replaced = import_bundle(shared.bundle, overwrite=True)
    assert [(e.action, e.reason) for e in replaced.experiments] == [
        ("skipped", "an identical result is already here"),
        ("skipped", "an identical result is already here"),
        ("replaced", "replaced a different result (model.pkl differs)"),
    ]
    assert Model().load_or_create() == MODEL_RESULT
    assert Model().get_metadata().imported_from is not None
    class_dir = project_b / "furu-data" / "artifacts" / "sharepipe" / "Model"
    assert os.listdir(class_dir) == [shared.hashes["Model"]]  # the replaced copy is gone


def test_an_unfinished_attempt_is_replaced(shared: Shared, project_b: Path) -> None:
    dest = project_b / "furu-data" / "data" / "sharepipe" / "Corpus" / shared.hashes["Corpus"]
    (dest / ".furu").mkdir(parents=True)
    (dest / "partial.txt").write_text("half")
    report = import_bundle(shared.bundle)
    assert (report.experiments[0].action, report.experiments[0].reason) == (
        "replaced",
        "replaced an unfinished attempt (there was no result)",
    )
    assert sorted(os.listdir(dest)) == [".furu", "corpus.txt"]


def test_dry_run_verifies_and_writes_nothing(shared: Shared, project_b: Path) -> None:
    before = tree(project_b)
    report = import_bundle(shared.bundle, dry_run=True)
    assert report.dry_run is True
    assert [e.action for e in report.experiments] == ["imported"] * 3
    assert report.code.snapshot_ids == [shared.snapshot] and report.code.fetched == []
    assert report.bytes_read == sum(
        m.size
        for m in tarfile.open(shared.bundle).getmembers()  # noqa: SIM115 - read-only peek
    )
    assert tree(project_b) == before


def test_no_deps_exports_only_the_chosen_artifact(
    shared: Shared, project_b: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(shared.repo)
    only = export([shared.hashes["Model"][:10]], tmp_path / "model-only.tar", deps=False)
    assert [(e.fqn, e.requested) for e in only.experiments] == [("sharepipe.Model", True)]
    assert only.snapshot_ids == [shared.snapshot]
    monkeypatch.chdir(project_b)
    report = import_bundle(tmp_path / "model-only.tar")
    assert [(e.fqn, e.action) for e in report.experiments] == [("sharepipe.Model", "imported")]
    loaded = shared.run_in(
        project_b, "from sharepipe import Model; print(Model().load_or_create()['code'])", calls=tmp_path / "c.txt"
    )
    assert (loaded.returncode, loaded.stdout.strip()) == (0, "v1-uncommitted"), loaded.stderr
    assert not (tmp_path / "c.txt").exists()
    assert not (project_b / "furu-data" / "data").exists() or not any((project_b / "furu-data" / "data").iterdir())


def test_code_none_leaves_the_snapshots_out(
    shared: Shared, project_b: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(shared.repo)
    report = export([shared.hashes["Features"]], tmp_path / "nocode.tar", code="none")
    assert (report.code, report.snapshot_ids) == ("none", [])
    with tarfile.open(tmp_path / "nocode.tar") as tar:
        assert "code.bundle" not in tar.getnames()
    monkeypatch.chdir(project_b)
    imported = import_bundle(tmp_path / "nocode.tar")
    assert imported.code.note == "the bundle holds no code (exported with --code none, or made outside git)"
    assert git(project_b, "for-each-ref", "refs/furu") == ""
    from sharepipe import Features  # type: ignore[import-not-found]

    assert Features().load_or_create() == [8, 8, 8]
    with pytest.raises(furu.FuruGitError, match="is not in the git repository"):
        furu.timetravel(Features(), tmp_path / "nowhere")


def test_exporting_an_artifact_without_a_result_is_refused(
    shared: Shared, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(shared.repo)
    monkeypatch.syspath_prepend(str(shared.repo))
    from sharepipe import Corpus  # type: ignore[import-not-found]

    Corpus(size=99).furu_dir.joinpath(".furu").mkdir(parents=True)
    try:
        with pytest.raises(
            FuruExportError,
            match=rf"sharepipe.Corpus {Corpus(size=99).furu_hash[:8]} has no result to export \(status absent\)",
        ):
            export([Corpus(size=99)], tmp_path / "x.tar")
        assert not (tmp_path / "x.tar").exists()
    finally:
        import shutil

        shutil.rmtree(Corpus(size=99).furu_dir)
