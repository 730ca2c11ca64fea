"""``furu init``: add furu's section to pyproject.toml and its rules to .gitignore, keeping the user's formatting.

Both edits are idempotent: an existing ``[tool.furu]`` is left as it is, and
only missing ``.gitignore`` lines are appended.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from furu.errors import FuruConfigError
from furu.settings import DATA_DIR_NAME

GITIGNORE_HEADER = "# furu: caches are rebuilt, never committed (results in furu-data/artifacts/ are)"
GITIGNORE_RULES = tuple(f"/{DATA_DIR_NAME}/{name}/" for name in ("data", "raw", "timetravel", ".catalog", ".journal"))

_SECTION_COMMENTS = (
    "Options for furu; each can also be set as FURU_<NAME> in the environment (which wins).",
    'path = "furu-data"              # data root (caches); version-controlled results go to furu-data/artifacts',
    "lease_secs = 120.0              # a lock holder silent for this long is taken over",
    "max_wait_secs = 600.0           # how long load_or_create waits for another process",
    "require_git = false             # refuse to create artifacts outside a git repository",
    'log_level = "INFO"',
)


class InitResult(BaseModel):
    pyproject: str
    added_section: bool = Field(description="False when [tool.furu] was already there.")
    gitignore: str
    added_rules: list[str]


def init_project(root: Path) -> InitResult:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.exists() else ""
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as error:
        raise FuruConfigError(f"{pyproject} is not valid TOML ({error}); fix it, then run furu init again.") from None
    tool = document.get("tool")
    added = tool is None or "furu" not in tool
    if added:
        section = tomlkit.table()
        for comment in _SECTION_COMMENTS:
            section.add(tomlkit.comment(comment))
        if tool is None:
            tool = tomlkit.table(is_super_table=True)
            document.add("tool", tool)
        tool.add("furu", section)
        pyproject.write_text(tomlkit.dumps(document), encoding="utf-8")
    gitignore = root / ".gitignore"
    existing = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    present = {line.strip() for line in existing.splitlines()}
    missing = [rule for rule in GITIGNORE_RULES if rule not in present]
    if missing:
        block = ([GITIGNORE_HEADER] if GITIGNORE_HEADER not in present else []) + missing
        prefix = "" if not existing or existing.endswith("\n") else "\n"
        spacer = "\n" if existing.strip() else ""
        gitignore.write_text(existing + prefix + spacer + "\n".join(block) + "\n", encoding="utf-8")
    return InitResult(pyproject=str(pyproject), added_section=added, gitignore=str(gitignore), added_rules=missing)
