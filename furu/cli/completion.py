"""Shell completion for references and option values (``furu --install-completion`` sets it up)."""

from __future__ import annotations

MAX_COMPLETIONS = 50


def complete_ref(incomplete: str) -> list[str]:
    """Artifact hashes starting with what was typed (from directory names only: fast)."""
    if not incomplete or ":" in incomplete or "/" in incomplete:
        return []
    try:
        from furu.catalog import Catalog

        dirs = Catalog().dirs_with_prefix(incomplete.lower())
    except Exception:  # noqa: BLE001 - completion must never print a traceback into the shell
        return []
    return sorted(path.rsplit("/", 1)[-1] for path in dirs)[:MAX_COMPLETIONS]


def complete_sort(incomplete: str) -> list[str]:
    from furu.query import SORT_KEYS

    return [key for key in SORT_KEYS if key.startswith(incomplete)]
