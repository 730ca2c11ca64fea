"""snapshot_patch: the uncommitted changes of a snapshot as a unified diff."""

from __future__ import annotations

import subprocess
from pathlib import Path

from furu.provenance import capture_git_provenance, snapshot_patch

from .gitrepo import Repo, init_repo


def test_clean_snapshot_has_empty_patch(repo: Repo) -> None:
    sid = capture_git_provenance(repo.path).snapshot_id or ""
    assert snapshot_patch(sid, repo_path=repo.path) == ""


def test_patch_matches_git_diff(repo: Repo) -> None:
    repo.write("src/model.py", "def f():\n    return 2\n")
    repo.git("mv", "src/util.py", "src/helpers.py")
    (repo.path / "README.md").unlink()
    repo.write("notes.txt", "new\n")
    (repo.path / "run.sh").chmod(0o644)
    prov = capture_git_provenance(repo.path)
    patch = snapshot_patch(prov.snapshot_id or "", repo_path=repo.path)
    expected = repo.git("diff", "--find-renames", f"{prov.head_commit}", f"{prov.snapshot_id}")
    assert patch == expected
    assert "+    return 2\n" in patch
    assert "rename from src/util.py\nrename to src/helpers.py\n" in patch
    assert "old mode 100755\nnew mode 100644\n" in patch


def test_root_snapshot_patch_adds_everything(tmp_path: Path) -> None:
    fresh = init_repo(tmp_path / "fresh")
    fresh.write("a.txt", "a\n")
    sid = capture_git_provenance(fresh.path).snapshot_id or ""
    assert snapshot_patch(sid, repo_path=fresh.path) == (
        "diff --git a/a.txt b/a.txt\n"
        "new file mode 100644\n"
        "index 0000000..7898192\n"
        "--- /dev/null\n"
        "+++ b/a.txt\n"
        "@@ -0,0 +1 @@\n"
        "+a\n"
    )


def test_binary_patch_applies_to_reproduce_the_snapshot(repo: Repo, tmp_path: Path) -> None:
    repo.write("data/blob.bin", bytes(range(255, -1, -1)) * 3)
    repo.write("src/model.py", "changed\n")
    prov = capture_git_provenance(repo.path)
    plain = snapshot_patch(prov.snapshot_id or "", repo_path=repo.path)
    assert "Binary files a/data/blob.bin and b/data/blob.bin differ\n" in plain
    binary = snapshot_patch(prov.snapshot_id or "", repo_path=repo.path, binary=True)
    assert "GIT binary patch" in binary
    replay = tmp_path / "replay"
    repo.git("worktree", "add", "-q", "--detach", str(replay), prov.head_commit or "")
    subprocess.run(["git", "apply", "--index"], cwd=replay, input=binary.encode(), check=True)
    tree = Repo(replay).git("write-tree").strip()
    assert tree == prov.snapshot_tree
