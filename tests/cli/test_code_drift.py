"""Code drift: ``furu ls``, ``show`` and ``explain`` say when the code of a result's class changed since it was made.

Each test makes a throwaway project (two modules, in a git repository so that
every result has a code snapshot), creates results with the real pipeline,
edits the real files, and asks the real ``furu`` command.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from gitenv import git, init_project_repo
from throwaway import artifact_dir, create, furu, furu_json, make_project, python

from .cli_helpers import edit_json

STEPS = '''\
import furu

SCALE = 1


def helper() -> int:
    return SCALE


class Data(furu.Furu[str]):
    name: str = "d"

    def _create(self) -> str:
        (self.furu_dir / "out.txt").write_text(self.name)
        return self.name

    def _load(self) -> str:
        return (self.furu_dir / "out.txt").read_text()


class Model(furu.Furu[str]):
    data: Data = Data()

    def _create(self) -> str:
        text = "model of " + self.data.load_or_create()
        (self.furu_dir / "model.txt").write_text(text)
        return text

    def _load(self) -> str:
        return (self.furu_dir / "model.txt").read_text()
'''

OTHER = '''\
import furu


class Other(furu.Furu[int]):
    n: int = 1

    def _create(self) -> int:
        (self.furu_dir / "n.txt").write_text(str(self.n))
        return self.n

    def _load(self) -> int:
        return int((self.furu_dir / "n.txt").read_text())
'''

MAIN_STEP = '''
import furu

class Foo(furu.Furu[int]):
    def _create(self) -> int:
        return 1

    def _load(self) -> int:
        return 1

obj = Foo()
obj.load_or_create()
print(obj.furu_hash)
'''

CLASS_EDIT = ('(self.furu_dir / "out.txt").write_text(self.name)', '(self.furu_dir / "out.txt").write_text(self.name * 2)')
LEGEND = (
    "code: changed = its class's code changed since it was made, module = only its module did, gone = its class "
    "or file is no longer there (furu show HASH says what changed; furu ls code_changed=true lists them)"
)
NOT_RECORDED = "not recorded (its class had no source file, or it was made before furu recorded code)"


class Lab:
    """The throwaway project and the hashes of its results: Data(), Model() and Other()."""

    def __init__(self, root: Path) -> None:
        self.root = root
        made = create(root, "Data()", "Model()")
        other = python(root, "from lab.other import Other\nobj = Other()\nobj.load_or_create()\nprint(obj.furu_hash)")
        assert other.returncode == 0, other.stderr
        self.data, self.model, self.other = made["Data()"], made["Model()"], other.stdout.split()[-1]

    def edit(self, module: str, old: str, new: str) -> None:
        path = self.root / "lab" / module
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))

    def metadata(self, cls: str, furu_hash: str) -> Path:
        module = "other" if cls == "Other" else "steps"
        return self.root / "furu-data" / "data" / "lab" / module / cls / furu_hash / ".furu" / "metadata.json"


@pytest.fixture
def lab(tmp_path: Path) -> Lab:
    root = make_project(tmp_path / "lab", STEPS)
    (root / "lab" / "other.py").write_text(OTHER)
    init_project_repo(root)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "the lab")
    return Lab(root)


def code_column(stdout: str) -> dict[str, str]:
    """``furu ls``'s code column by class ('' for a result whose code is as it was made; none without the column)."""
    lines = stdout.splitlines()
    header = lines[0]
    if " code" not in header:
        return {}
    start = header.index(" code") + 1
    rows = [line for line in lines[1:] if line and not line.startswith(("code:", " ")) and " shown, " not in line]
    return {row.split()[0]: row[start:].split()[0] if row[start:].strip() else "" for row in rows}


def drift(lab: Lab, furu_hash: str) -> tuple[bool, Any]:
    shown = furu_json(lab.root, "show", furu_hash)
    assert shown["record"]["code_changed"] == shown["code_changed"]
    return shown["code_changed"], shown["code_drift"]


def show_line(lab: Lab, furu_hash: str, key: str) -> str:
    prefix = f"  {key:<19}"
    lines = [line for line in furu(lab.root, "show", furu_hash).stdout.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, lines
    return lines[0][len(prefix):]


def test_no_drift_no_column_and_nothing_matches_code_changed(lab: Lab) -> None:
    metadata = json.loads(lab.metadata("Data", lab.data).read_text())
    assert metadata["code"]["file"] == "lab/steps.py"
    out = furu(lab.root, "ls").stdout
    assert out.splitlines()[0].split() == ["class", "hash", "status", "created", "runtime", "size"]
    assert LEGEND not in out
    assert furu(lab.root, "ls", "code_changed=true").stdout == "0 shown, 0 matching, 3 artifacts\n"
    assert len(furu_json(lab.root, "ls", "code_changed=false")) == 3
    assert drift(lab, lab.data) == (False, None)
    assert show_line(lab, lab.data, "code") == "unchanged since it was made (lab/steps.py)"
    assert show_line(lab, lab.other, "code") == "unchanged since it was made (lab/other.py)"
    snapshot = metadata["git"]["snapshot_id"]
    quiet = furu(lab.root, "show", lab.data[:8], "--code-diff")
    assert quiet.stdout == ""
    assert quiet.stderr == f"lab/steps.py is as it was in {snapshot[:12]}, when lab.steps.Data {lab.data[:8]} was made.\n"
    explained = furu_json(lab.root, "explain", "lab.steps:Data")
    assert explained["cached"] is True and explained["details"] == []


def test_a_class_body_edit_flags_the_class_and_its_module_neighbours(lab: Lab) -> None:
    lab.edit("steps.py", *CLASS_EDIT)
    out = furu(lab.root, "ls").stdout
    assert code_column(out) == {"Data": "changed", "Model": "module", "Other": ""}
    assert out.splitlines()[-1] == LEGEND
    assert {r["hash"] for r in furu_json(lab.root, "ls", "code_changed=true")} == {lab.data, lab.model}
    assert [r["hash"] for r in furu_json(lab.root, "ls", "code_changed=false")] == [lab.other]
    assert [r["hash"] for r in furu_json(lab.root, "ls", "code_changed=true", "class=Data")] == [lab.data]
    assert drift(lab, lab.data) == (True, {
        "kind": "class", "file": "lab/steps.py",
        "sentence": "its class's code changed since it was made (Data in lab/steps.py)",
    })
    assert drift(lab, lab.model)[1]["kind"] == "module"
    assert drift(lab, lab.other) == (False, None)
    assert show_line(lab, lab.data, "code") == (
        f"its class's code changed since it was made (Data in lab/steps.py): furu show {lab.data[:8]} --code-diff"
    )
    assert furu(lab.root, "show", lab.data[:8], "--code-diff").stdout.splitlines() == [
        "--- a/lab/steps.py",
        "+++ b/lab/steps.py",
        "@@ -11,7 +11,7 @@",
        '     name: str = "d"',
        " ",
        "     def _create(self) -> str:",
        '-        (self.furu_dir / "out.txt").write_text(self.name)',
        '+        (self.furu_dir / "out.txt").write_text(self.name * 2)',
        "         return self.name",
        " ",
        "     def _load(self) -> str:",
    ]
    as_json = furu_json(lab.root, "show", lab.model[:8], "--code-diff")
    snapshot = json.loads(lab.metadata("Model", lab.model).read_text())["git"]["snapshot_id"]
    assert {k: v for k, v in as_json.items() if k != "diff"} == {
        "hash": lab.model, "file": "lab/steps.py", "path": "lab/steps.py", "commit": snapshot,
    }
    assert as_json["diff"] == furu(lab.root, "show", lab.data[:8], "--code-diff").stdout  # the same module file


def test_an_edit_elsewhere_in_the_module_says_only_the_module_changed(lab: Lab) -> None:
    lab.edit("steps.py", "SCALE = 1", "SCALE = 2")
    assert code_column(furu(lab.root, "ls").stdout) == {"Data": "module", "Model": "module", "Other": ""}
    assert drift(lab, lab.data) == (True, {
        "kind": "module", "file": "lab/steps.py",
        "sentence": "its class's code is unchanged, but its module lab/steps.py changed since it was made",
    })
    assert show_line(lab, lab.data, "code") == (
        "its class's code is unchanged, but its module lab/steps.py changed since it was made: "
        f"furu show {lab.data[:8]} --code-diff"
    )
    assert furu(lab.root, "show", lab.data[:8], "--code-diff").stdout.splitlines() == [
        "--- a/lab/steps.py", "+++ b/lab/steps.py", "@@ -1,6 +1,6 @@",
        " import furu", " ", "-SCALE = 1", "+SCALE = 2", " ", " ", " def helper() -> int:",
    ]
    lab.edit("steps.py", "SCALE = 2", "SCALE = 1")  # edited back: as it was made
    assert code_column(furu(lab.root, "ls").stdout) == {}


def test_a_deleted_class_or_file_is_gone(lab: Lab) -> None:
    text = (lab.root / "lab" / "steps.py").read_text()
    (lab.root / "lab" / "steps.py").write_text(text[: text.index("class Model")].rstrip() + "\n")
    (lab.root / "lab" / "other.py").unlink()
    assert code_column(furu(lab.root, "ls").stdout) == {"Data": "module", "Model": "gone", "Other": "gone"}
    assert drift(lab, lab.model)[1] == {
        "kind": "gone", "file": "lab/steps.py", "sentence": "its class Model is no longer defined in lab/steps.py",
    }
    assert drift(lab, lab.other)[1] == {
        "kind": "gone", "file": "lab/other.py", "sentence": "its module lab/other.py no longer exists",
    }
    assert furu(lab.root, "ls", "code_changed=true").stdout.splitlines()[-2] == "3 shown, 3 matching, 3 artifacts"
    removed = furu(lab.root, "show", lab.other[:8], "--code-diff").stdout.splitlines()
    assert removed[:3] == ["--- a/lab/other.py", "+++ /dev/null", f"@@ -1,{len(OTHER.splitlines())} +0,0 @@"]
    assert removed[3:] == [f"-{line}" for line in OTHER.splitlines()]


def test_a_main_class_has_no_fingerprint_and_never_counts_as_changed(tmp_path: Path) -> None:
    root = make_project(tmp_path / "lab", STEPS)
    result = python(root, MAIN_STEP, FURU_ALLOW_MAIN_CLASSES="1")
    assert result.returncode == 0, result.stderr
    foo = result.stdout.split()[-1]
    metadata = json.loads((root / "furu-data" / "data" / "__main__" / "Foo" / foo / ".furu" / "metadata.json").read_text())
    assert metadata["code"] is None
    [listed] = furu_json(root, "ls")
    assert (listed["code_changed"], listed["code_drift"]) == (None, None)
    assert [r["hash"] for r in furu_json(root, "ls", "code_changed=false")] == [foo]
    assert furu(root, "ls", "code_changed=true").stdout == "0 shown, 0 matching, 1 artifacts\n"
    shown = furu_json(root, "show", foo[:8])
    assert (shown["code_changed"], shown["code_drift"]) == (False, None)
    lines = furu(root, "show", foo[:8]).stdout.splitlines()
    assert f"  code               {NOT_RECORDED}" in lines
    refused = furu(root, "show", foo[:8], "--code-diff", code=1).stderr
    assert refused == (
        f"error: __main__.Foo {foo[:8]} has no code fingerprint: its class had no source file (defined in "
        "`python -c` or a notebook), or it was made before furu recorded one; there is no file to compare.\n"
    )


def test_without_git_drift_is_still_told_but_there_is_no_snapshot_to_diff(tmp_path: Path) -> None:
    root = make_project(tmp_path / "lab", STEPS)
    data = create(root, "Data()")["Data()"]
    (root / "lab" / "steps.py").write_text(STEPS.replace(*CLASS_EDIT))
    assert code_column(furu(root, "ls").stdout) == {"Data": "changed"}
    refused = furu(root, "show", data[:8], "--code-diff", code=1).stderr
    assert refused.startswith(f"error: lab.steps.Data {data[:8]} has no code snapshot to compare with (not inside a git ")


def test_the_index_keeps_the_fingerprints_and_rescan_reads_them_again(lab: Lab) -> None:
    lab.edit("steps.py", *CLASS_EDIT)
    time.sleep(2.1)  # out of the racy window: the index now trusts what it read
    assert code_column(furu(lab.root, "ls").stdout) == {"Data": "changed", "Model": "module", "Other": ""}
    # Rewritten in place (the directory's stamp stays): the index still answers from the fingerprint it holds ...
    current = json.loads(lab.metadata("Other", lab.other).read_text())["code"]["module_digest"]

    def now_current(doc: dict[str, Any]) -> None:
        doc["code"]["file"], doc["code"]["module_digest"] = "lab/other.py", current

    edit_json(lab.metadata("Data", lab.data), now_current)
    assert {r["hash"] for r in furu_json(lab.root, "ls", "code_changed=true")} == {lab.data, lab.model}
    # ... and --rescan reads metadata.json again, in the listing and in the filter alike.
    assert code_column(furu(lab.root, "ls", "--rescan").stdout) == {"Model": "module", "Data": "", "Other": ""}
    assert [r["hash"] for r in furu_json(lab.root, "ls", "--rescan", "code_changed=true")] == [lab.model]
    assert [r["hash"] for r in furu_json(lab.root, "ls", "code_changed=true")] == [lab.model]


def test_explain_mentions_drift_of_the_cached_result_and_of_the_nearest(lab: Lab) -> None:
    lab.edit("steps.py", *CLASS_EDIT)
    said = f"its class's code changed since it was made (Data in lab/steps.py); furu show {lab.data[:8]} --code-diff shows how"
    cached = furu(lab.root, "explain", "lab.steps:Data").stdout.splitlines()
    assert cached[1] == f"  the cached result: {said}"
    missing = furu_json(lab.root, "explain", "lab.steps:Data", "name=zz")
    assert missing["cached"] is False
    assert missing["details"] == [f"nearest {lab.data[:8]}: {said}"]
    assert missing["nearest"][0]["record"]["code_drift"]["kind"] == "class"


def test_show_renders_migrations_from_metadata(lab: Lab) -> None:
    at = "2026-11-01T14:05:00+00:00"
    when = datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M")
    old_dir = str(artifact_dir(lab.root / "furu-data", "OldData", "0" * 32))
    move = {"fqn": "lab.old.OldData", "hash": "0123456789abcdef" * 2, "dir": old_dir, "policy": "alias",
            "changes": ["class moved from `lab.old.OldData`"], "by": "furu migrate", "at": at, "host": "vm", "user": "me"}

    def migrated(doc: dict[str, Any]) -> None:
        doc["migrated_from"] = move
        doc["migrated_to"] = [{**move, "fqn": "lab.new.Data", "hash": "fedcba9876543210" * 2, "policy": "copy"}]

    edit_json(lab.metadata("Data", lab.data), migrated)
    assert show_line(lab, lab.data, "migrated from") == f"lab.old.OldData 01234567 (alias, {when})"
    assert show_line(lab, lab.data, "migrated to") == f"lab.new.Data fedcba98 (copy, {when})"
    shown = furu_json(lab.root, "show", lab.data)
    assert shown["metadata"]["migrated_from"]["hash"] == move["hash"]
    assert "migrated" not in furu(lab.root, "show", lab.model).stdout


def test_a_module_that_no_longer_parses_says_so_and_a_malformed_code_entry_is_named(lab: Lab) -> None:
    lab.edit("steps.py", "SCALE = 1", "SCALE = (")
    assert code_column(furu(lab.root, "ls").stdout) == {"Data": "module", "Model": "module", "Other": ""}
    assert drift(lab, lab.data)[1]["sentence"] == "its module lab/steps.py changed since it was made, and no longer parses"
    edit_json(lab.metadata("Other", lab.other), lambda doc: doc.update(code="lab/other.py"))
    [other] = furu_json(lab.root, "ls", "--rescan", "class=Other")
    assert (other["status"], other["code_changed"]) == ("damaged", None)
    assert other["problem"] == (
        f"{lab.metadata('Other', lab.other)} is unreadable (truncated or edited by hand): "
        "its code must hold a file and a module_digest (strings) and a class_digest (a string or null)"
    )
