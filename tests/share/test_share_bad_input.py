"""Crafted bundles: every kind of bad input is refused with a message naming it, and nothing is written."""

from __future__ import annotations

import copy
import io
import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from furu.share import (
    FuruBundleCorrupt,
    FuruBundleError,
    FuruBundleInvalid,
    FuruBundleTooNew,
    FuruBundleTruncated,
    FuruBundleUnsafe,
    import_bundle,
)

from .conftest import Shared, tree

Members = list[tuple[tarfile.TarInfo, bytes | None]]


def read_members(bundle: Path) -> Members:
    with tarfile.open(bundle) as tar:
        return [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]  # type: ignore[union-attr]


def write_members(path: Path, members: Members) -> Path:
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            info = copy.copy(info)
            if data is not None:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return path


def entry(
    name: str, kind: bytes = tarfile.REGTYPE, *, linkname: str = "", data: bytes | None = None
) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, (data if data is not None else (b"x" if kind == tarfile.REGTYPE else None))


def index_of(members: Members, suffix: str) -> int:
    return next(i for i, (m, _) in enumerate(members) if m.name.endswith(suffix))


def edit_json(members: Members, name: str, change: Callable[[dict], None]) -> None:
    i = index_of(members, name)
    document = json.loads(members[i][1] or b"")
    change(document)
    members[i] = (members[i][0], json.dumps(document).encode())


@pytest.fixture
def crafted(shared: Shared, tmp_path: Path) -> Callable[[Callable[[Members], None]], Path]:
    def make(mutate: Callable[[Members], None]) -> Path:
        members = read_members(shared.bundle)
        mutate(members)
        return write_members(tmp_path / "crafted.tar", members)

    return make


def corpus_dir(shared: Shared) -> str:
    return f"data/sharepipe/Corpus/{shared.hashes['Corpus']}"


def features_dir(shared: Shared) -> str:
    return f"data/sharepipe/Features/{shared.hashes['Features']}"


def assert_refused(bundle: Path, error: type[FuruBundleError], problem: str) -> None:
    """Refused with exactly ``problem``, and the project (cwd) is byte for byte as before."""
    project = Path.cwd()
    before = tree(project)
    with pytest.raises(error) as caught:
        import_bundle(bundle)
    assert str(caught.value) == f"Refused bundle {bundle.name}: {problem} Nothing was written."
    assert tree(project) == before


CASES: dict[str, tuple[Callable[[Shared, Members], None], type[FuruBundleError], Callable[[Shared], str]]] = {
    "absolute path": (
        lambda s, m: m.insert(1, entry("/tmp/evil.txt")),
        FuruBundleUnsafe,
        lambda s: "entry '/tmp/evil.txt' has an absolute path.",
    ),
    "dot-dot": (
        lambda s, m: m.insert(1, entry("data/../../evil.txt")),
        FuruBundleUnsafe,
        lambda s: "entry 'data/../../evil.txt' has a '..' component.",
    ),
    "symlink leading outside": (
        lambda s, m: m.insert(
            2, entry(f"{corpus_dir(s)}/escape", tarfile.SYMTYPE, linkname="../../../../../../etc/passwd")
        ),
        FuruBundleUnsafe,
        lambda s: f"symlink '{corpus_dir(s)}/escape' -> '../../../../../../etc/passwd' leads outside its artifact.",
    ),
    "symlink to an absolute path": (
        lambda s, m: m.insert(2, entry(f"{corpus_dir(s)}/escape", tarfile.SYMTYPE, linkname="/etc/passwd")),
        FuruBundleUnsafe,
        lambda s: f"symlink '{corpus_dir(s)}/escape' -> '/etc/passwd' leads outside its artifact (absolute target).",
    ),
    "hardlink leading outside": (
        lambda s, m: m.insert(2, entry(f"{corpus_dir(s)}/hard", tarfile.LNKTYPE, linkname="/etc/passwd")),
        FuruBundleUnsafe,
        lambda s: f"entry '{corpus_dir(s)}/hard' -> '/etc/passwd' leads outside its artifact.",
    ),
    "hardlink into another artifact": (
        lambda s, m: m.insert(
            2, entry(f"{corpus_dir(s)}/hard", tarfile.LNKTYPE, linkname=f"{features_dir(s)}/features.json")
        ),
        FuruBundleUnsafe,
        lambda s: f"entry '{corpus_dir(s)}/hard' -> '{features_dir(s)}/features.json' leads outside its artifact.",
    ),
    "character device": (
        lambda s, m: m.insert(2, entry(f"{corpus_dir(s)}/tty", tarfile.CHRTYPE)),
        FuruBundleUnsafe,
        lambda s: f"entry '{corpus_dir(s)}/tty' is a device file.",
    ),
    "block device": (
        lambda s, m: m.insert(2, entry(f"{corpus_dir(s)}/sda", tarfile.BLKTYPE)),
        FuruBundleUnsafe,
        lambda s: f"entry '{corpus_dir(s)}/sda' is a device file.",
    ),
    "fifo": (
        lambda s, m: m.insert(2, entry(f"{corpus_dir(s)}/pipe", tarfile.FIFOTYPE)),
        FuruBundleUnsafe,
        lambda s: f"entry '{corpus_dir(s)}/pipe' is a fifo.",
    ),
    "duplicate entry": (
        lambda s, m: m.insert(index_of(m, "corpus.txt") + 1, m[index_of(m, "corpus.txt")]),
        FuruBundleUnsafe,
        lambda s: f"entry '{corpus_dir(s)}/corpus.txt' appears twice.",
    ),
    "written through a symlink": (
        lambda s, m: m.insert(index_of(m, "/latest") + 1, entry(f"{features_dir(s)}/latest/evil")),
        FuruBundleUnsafe,
        lambda s: (
            f"entry '{features_dir(s)}/latest/evil' would be written through the symlink '{features_dir(s)}/latest'."
        ),
    ),
    "entry not in the manifest": (
        lambda s, m: m.insert(2, entry(f"{corpus_dir(s)}/extra.txt")),
        FuruBundleUnsafe,
        lambda s: f"entry '{corpus_dir(s)}/extra.txt' is not listed in the manifest.",
    ),
    "stray top-level entry": (
        lambda s, m: m.insert(1, entry("install.sh")),
        FuruBundleUnsafe,
        lambda s: "entry 'install.sh' is not listed in the manifest (not a file inside an artifact directory).",
    ),
    "entry after the manifest": (
        lambda s, m: m.append(entry(f"{corpus_dir(s)}/late.txt")),
        FuruBundleUnsafe,
        lambda s: f"entry '{corpus_dir(s)}/late.txt' comes after manifest.json, which must be the last entry.",
    ),
    "digest mismatch": (
        lambda s, m: m.__setitem__(index_of(m, "corpus.txt"), (m[index_of(m, "corpus.txt")][0], b"WORD word word ")),
        FuruBundleCorrupt,
        lambda s: (
            f"entry '{corpus_dir(s)}/corpus.txt' has xxh3-128 digest {_xxh(b'WORD word word ')}; "
            f"the manifest says {_xxh(b'word word word ')} (altered or damaged)."
        ),
    ),
    "size mismatch": (
        lambda s, m: edit_json(m, "manifest.json", lambda d: _file(d, 0, "corpus.txt").update(size=16)),
        FuruBundleCorrupt,
        lambda s: f"entry '{corpus_dir(s)}/corpus.txt' has 15 bytes; the manifest says 16.",
    ),
    "manifest entry missing from the archive": (
        lambda s, m: m.pop(index_of(m, "features.json")),
        FuruBundleTruncated,
        lambda s: (
            f"entry '{features_dir(s)}/features.json' is listed in the manifest but missing from the archive (the bundle is truncated)."
        ),
    ),
    "manifest that does not validate": (
        lambda s, m: edit_json(m, "manifest.json", lambda d: d["experiments"][0].update(hash="nothex")),
        FuruBundleInvalid,
        lambda s: (
            "manifest.json does not validate as a BundleManifest (1 problem(s), first at experiments.0.hash: "
            "Value error, 'nothex' is not a furu hash (32 lowercase hex digits))."
        ),
    ),
    "manifest path with dot-dot": (
        lambda s, m: edit_json(m, "manifest.json", lambda d: _file(d, 0, "corpus.txt").update(path="../corpus.txt")),
        FuruBundleInvalid,
        lambda s: (
            "manifest.json does not validate as a BundleManifest (1 problem(s), first at experiments.0.files.1.path: "
            "Value error, '../corpus.txt' has an empty, '.' or '..' part)."
        ),
    ),
    "manifest nesting one artifact inside another": (
        lambda s, m: edit_json(
            m,
            "manifest.json",
            lambda d: d["experiments"][0].update(
                location=f"sharepipe/Model/{s.hashes['Model']}/x/{s.hashes['Corpus']}"
            ),
        ),
        FuruBundleInvalid,
        lambda s: (
            "manifest.json does not validate as a BundleManifest (1 problem(s), first at experiments.0: Value error, "
            f"location 'sharepipe/Model/{s.hashes['Model']}/x/{s.hashes['Corpus']}' is not "
            f"<module parts>/<QualName>/{s.hashes['Corpus']})."
        ),
    ),
    "manifest that is not JSON": (
        lambda s, m: m.__setitem__(-1, (m[-1][0], b"{not json")),
        FuruBundleInvalid,
        lambda s: (
            "manifest.json is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))."
        ),
    ),
    "manifest naming another artifact": (
        lambda s, m: edit_json(m, "manifest.json", lambda d: d["experiments"][0].update(fqn="sharepipe.Other")),
        FuruBundleInvalid,
        lambda s: (
            f"the manifest lists sharepipe.Other {s.hashes['Corpus']} at sharepipe/Corpus/{s.hashes['Corpus']}, "
            f"but its metadata.json says sharepipe.Corpus {s.hashes['Corpus']}."
        ),
    ),
    "newer header schema": (
        lambda s, m: edit_json(m, "furu-bundle.json", lambda d: d.update(schema_version=99)),
        FuruBundleTooNew,
        lambda s: (
            "furu-bundle.json has schema version 99, newer than this furu understands (1); upgrade furu (pip install -U furu) to import it."
        ),
    ),
    "newer manifest schema": (
        lambda s, m: edit_json(m, "manifest.json", lambda d: d.update(schema_version=2)),
        FuruBundleTooNew,
        lambda s: (
            "manifest.json has schema version 2, newer than this furu understands (1); upgrade furu (pip install -U furu) to import it."
        ),
    ),
    "not a furu bundle": (
        lambda s, m: m.pop(0),
        FuruBundleInvalid,
        lambda s: f"it is not a furu bundle: its first entry is '{corpus_dir(s)}/.furu', not furu-bundle.json.",
    ),
    "a code bundle that is not a git bundle": (
        lambda s, m: _replace_code(m, b"not a git bundle\n"),
        FuruBundleInvalid,
        lambda s: "code.bundle is not a usable git bundle: unsupported bundle format header: b'not a git bundle\\n'.",
    ),
}


def _xxh(data: bytes) -> str:
    import xxhash

    return xxhash.xxh3_128_hexdigest(data)


def _file(document: dict, experiment: int, path: str) -> dict:
    return next(f for f in document["experiments"][experiment]["files"] if f["path"] == path)


def _replace_code(members: Members, data: bytes) -> None:
    members[index_of(members, "code.bundle")] = (members[index_of(members, "code.bundle")][0], data)
    edit_json(members, "manifest.json", lambda d: d["code"].update(size=len(data), xxh3_128=_xxh(data)))


@pytest.mark.parametrize("case", list(CASES))
def test_a_crafted_bundle_is_refused_and_nothing_is_written(
    case: str, shared: Shared, crafted: Callable[[Callable[[Members], None]], Path]
) -> None:
    mutate, error, problem = CASES[case]
    assert_refused(crafted(lambda members: mutate(shared, members)), error, problem(shared))


def test_a_bundle_truncated_mid_file_is_refused(shared: Shared, tmp_path: Path) -> None:
    with tarfile.open(shared.bundle) as tar:
        blob = tar.getmember(f"{features_dir(shared)}/nested/deep/blob.bin")
    cut = tmp_path / "cut.tar"
    cut.write_bytes(shared.bundle.read_bytes()[: blob.offset_data + 5000])
    assert_refused(
        cut,
        FuruBundleTruncated,
        f"entry '{features_dir(shared)}/nested/deep/blob.bin' is cut short: 5000 of 10240 bytes (the file is truncated).",
    )


def test_a_bundle_cut_between_entries_is_refused(shared: Shared, tmp_path: Path) -> None:
    with tarfile.open(shared.bundle) as tar:
        manifest = tar.getmember("manifest.json")
    cut = tmp_path / "cut.tar"
    cut.write_bytes(shared.bundle.read_bytes()[: manifest.offset])
    assert_refused(
        cut,
        FuruBundleTruncated,
        "it ends after entry 'code.bundle', before manifest.json (the last entry): the file is truncated.",
    )


def test_a_file_that_is_not_a_tar_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"\x00\xffnot a tar at all" * 100)
    project = Path.cwd()
    before = tree(project)
    with pytest.raises(
        FuruBundleInvalid,
        match=r"^Refused bundle junk.tar: it is not a tar file, so not a furu bundle \(.*\)\. Nothing was written\.$",
    ):
        import_bundle(junk)
    assert tree(project) == before


def test_a_hidden_pickle_is_flagged_from_its_bytes(
    shared: Shared, crafted: Callable[[Callable[[Members], None]], Path]
) -> None:
    """A manifest that denies a pickle does not hide it: the importer sniffs the bytes itself."""

    def deny(members: Members) -> None:
        edit_json(
            members,
            "manifest.json",
            lambda d: _file(d, 2, "model.pkl").update(unpickles_code=False, pickle_format=None),
        )

    report = import_bundle(crafted(deny), dry_run=True)
    assert [e.unpickles_code for e in report.experiments] == [[], [], ["model.pkl (pickle)"]]


# Symlinks judged against the tree extraction will create, not lexically (issue 9).
# The Corpus artifact lies at <project>/furu-data/data/sharepipe/Corpus/<hash>: six levels below the test's
# tmp_path, where the sentinel file lies, outside the data root and the project.

def _links(*specs: tuple[str, str | None]) -> Callable[[Shared, Members], None]:
    """Insert entries into the Corpus artifact, in this order: (path, target) a symlink, (path, None) a directory."""

    def mutate(s: Shared, members: Members) -> None:
        at = index_of(members, "corpus.txt")
        for offset, (path, target) in enumerate(specs):
            name = f"{corpus_dir(s)}/{path}"
            made = entry(name, tarfile.DIRTYPE) if target is None else entry(name, tarfile.SYMTYPE, linkname=target)
            members.insert(at + offset, made)

    return mutate


def _insert_before_corpus(members: Members, *entries: tuple[tarfile.TarInfo, bytes | None]) -> None:
    at = index_of(members, "corpus.txt")
    members[at:at] = entries


LINK_CASES: dict[str, tuple[Callable[[Shared, Members], None], Callable[[Shared], str]]] = {
    "the issue's shape: lexically inside, out through a climbing inner link that comes later": (
        _links(("escape", "d0/../d11/up/../.."), ("d0", None), ("d11", None), ("d11/up", "..")),
        lambda s: (
            f"symlink '{corpus_dir(s)}/escape' -> 'd0/../d11/up/../..' leads outside its artifact through the "
            f"symlink '{corpus_dir(s)}/d11/up' -> '..'."
        ),
    ),
    "a climbing link six levels deep, aimed at the sentinel": (
        _links(
            ("p1/p2/p3/p4/p5/p6/up", "../../../../../.."),
            ("p1/p2/p3/p4/p5/p6/grab", "up/../../../../../../outside.txt"),
        ),
        lambda s: (
            f"symlink '{corpus_dir(s)}/p1/p2/p3/p4/p5/p6/grab' -> 'up/../../../../../../outside.txt' leads outside "
            f"its artifact through the symlink '{corpus_dir(s)}/p1/p2/p3/p4/p5/p6/up' -> '../../../../../..'."
        ),
    ),
    "a symlinked directory that climbs, used twice": (
        _links(("sub", None), ("sub/up", ".."), ("x", "sub/up/sub/up/..")),
        lambda s: (
            f"symlink '{corpus_dir(s)}/x' -> 'sub/up/sub/up/..' leads outside its artifact through the symlink "
            f"'{corpus_dir(s)}/sub/up' -> '..'."
        ),
    ),
    "chained links a -> b -> c -> ../../..": (
        _links(("a", "b"), ("b", "c"), ("c", "../../..")),
        lambda s: (
            f"symlink '{corpus_dir(s)}/a' -> 'b' leads outside its artifact through the symlink "
            f"'{corpus_dir(s)}/c' -> '../../..'."
        ),
    ),
    "a link to a link to outside": (
        _links(("a", "dir/link"), ("dir", None), ("dir/link", "../..")),
        lambda s: (
            f"symlink '{corpus_dir(s)}/a' -> 'dir/link' leads outside its artifact through the symlink "
            f"'{corpus_dir(s)}/dir/link' -> '../..'."
        ),
    ),
    "a climbing link named in another case (case-insensitive filesystems)": (
        _links(("d11", None), ("d11/up", ".."), ("x", "D11/UP/../..")),
        lambda s: (
            f"symlink '{corpus_dir(s)}/x' -> 'D11/UP/../..' leads outside its artifact through the symlink "
            f"'{corpus_dir(s)}/D11/UP' -> '..'."
        ),
    ),
    "a self-loop": (
        _links(("loop", "loop"),),
        lambda s: (
            f"symlink '{corpus_dir(s)}/loop' -> 'loop' never resolves: it points back to itself "
            "(more than 40 symlinks followed)."
        ),
    ),
    "a cycle of two": (
        _links(("ping", "pong"), ("pong", "ping")),
        lambda s: (
            f"symlink '{corpus_dir(s)}/ping' -> 'pong' never resolves: it loops (more than 40 symlinks followed, "
            f"the last '{corpus_dir(s)}/pong' -> 'ping')."
        ),
    ),
    "a dangling link that climbs out lexically": (
        _links(("ghost", "missing/../../outside.txt"),),
        lambda s: f"symlink '{corpus_dir(s)}/ghost' -> 'missing/../../outside.txt' leads outside its artifact.",
    ),
    "a link into .furu": (
        _links(("peek", ".furu/state.json"),),
        lambda s: (
            f"symlink '{corpus_dir(s)}/peek' -> '.furu/state.json' leads into the artifact's .furu/ directory, "
            "where furu writes its own records."
        ),
    ),
    "a link into .furu through a link to the artifact itself": (
        _links(("me", "."), ("peek", "me/.furu")),
        lambda s: (
            f"symlink '{corpus_dir(s)}/peek' -> 'me/.furu' leads into the artifact's .furu/ directory through the "
            f"symlink '{corpus_dir(s)}/me' -> '.', where furu writes its own records."
        ),
    ),
    "a link inside .furu": (
        _links((".furu/events.jsonl.old", "../corpus.txt"),),
        lambda s: (
            f"symlink '{corpus_dir(s)}/.furu/events.jsonl.old' -> '../corpus.txt' lies inside the artifact's .furu/ "
            "directory, where furu writes its own records."
        ),
    ),
    "an entry written through a symlink that comes after it": (
        lambda s, m: _insert_before_corpus(
            m, entry(f"{corpus_dir(s)}/later/evil"), entry(f"{corpus_dir(s)}/later", tarfile.SYMTYPE, linkname=".")
        ),
        lambda s: f"entry '{corpus_dir(s)}/later/evil' would be written through the symlink '{corpus_dir(s)}/later'.",
    ),
}


def _stamp(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
@pytest.mark.parametrize("case", list(LINK_CASES))
def test_a_link_that_resolves_outside_or_into_furu_is_refused(
    case: str, dry_run: bool, shared: Shared, crafted: Callable[[Callable[[Members], None]], Path], tmp_path: Path
) -> None:
    mutate, problem = LINK_CASES[case]
    sentinel = tmp_path / "outside.txt"
    sentinel.write_bytes(b"the sentinel\n")
    stamp = _stamp(sentinel)
    bundle = crafted(lambda members: mutate(shared, members))
    project = Path.cwd()
    before = tree(project)
    with pytest.raises(FuruBundleUnsafe) as caught:
        import_bundle(bundle, dry_run=dry_run)
    assert str(caught.value) == f"Refused bundle {bundle.name}: {problem(shared)} Nothing was written."
    assert tree(project) == before  # no staging directory, no partial artifact, no data root made
    assert _stamp(sentinel) == stamp
    assert sorted(os.listdir(tmp_path)) == sorted(["crafted.tar", "outside.txt", "project", "home"])


def test_the_climbing_attack_is_refused_even_when_the_manifest_lists_it(
    shared: Shared, crafted: Callable[[Callable[[Members], None]], Path], tmp_path: Path
) -> None:
    """A consistent bundle (every entry listed, the manifest agrees): only the link check stands in the way."""
    sentinel = tmp_path / "outside.txt"
    sentinel.write_bytes(b"the sentinel\n")
    stamp = _stamp(sentinel)
    deep = "p1/p2/p3/p4/p5/p6"
    specs: list[tuple[str, str | None]] = [
        *((deep[: i + 2], None) for i in range(0, len(deep), 3)),
        (f"{deep}/up", "../../../../../.."),
        ("grab", f"{deep}/up/../../../../../../outside.txt"),
    ]

    def mutate(members: Members) -> None:
        _links(*specs)(shared, members)

        def listed(document: dict) -> None:
            files = document["experiments"][0]["files"]
            for path, target in specs:
                files.append({"path": path, "kind": "dir"} if target is None else {"path": path, "kind": "symlink", "target": target})

        edit_json(members, "manifest.json", listed)

    bundle = crafted(mutate)
    project = Path.cwd()
    before = tree(project)
    with pytest.raises(FuruBundleUnsafe) as caught:
        import_bundle(bundle)
    assert str(caught.value) == (
        f"Refused bundle crafted.tar: symlink '{corpus_dir(shared)}/grab' -> '{deep}/up/../../../../../../outside.txt' "
        f"leads outside its artifact through the symlink '{corpus_dir(shared)}/{deep}/up' -> '../../../../../..'. "
        "Nothing was written."
    )
    assert tree(project) == before
    assert _stamp(sentinel) == stamp
