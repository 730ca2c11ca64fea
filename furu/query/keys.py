"""Typo checks for the config fields a query names: ``alhpa>1`` is refused, with "Did you mean 'alpha'?".

A filter on a field that no artifact's config has would quietly match nothing. These checks run
once the filters and the sort key are parsed, against the paths the stored configs have
(:func:`~furu.query.paths.filter_paths`, or the catalog index's ``fields``).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from furu.query.errors import FuruQueryError
from furu.query.filters import BUILTIN_KEYS, Filter
from furu.query.paths import filter_paths
from furu.query.sorting import SORT_KEYS, sort_parts


def check_config_keys(filters: Sequence[Filter], sort: str | None, items: Sequence[Any]) -> None:
    """Refuse a config path (in a filter or the sort key) that no item's stored config has: a typo.

    ``items`` are entries or records with their details read. Artifacts with no
    stored config yet (running, failed) say nothing either way, so when none
    has one nothing is refused. The error suggests the closest field
    (``alhpa`` -> ``alpha``) and lists the keys that do exist.
    """
    configs = [item.config for item in items if item.config is not None]
    if configs:
        check_known_paths(filters, sort, set().union(*map(filter_paths, configs)))


def check_known_paths(filters: Sequence[Filter], sort: str | None, known: set[str]) -> None:
    """:func:`check_config_keys` against the paths that stored configs have (e.g. from the catalog's index)."""
    if not known:
        return
    top = ", ".join(sorted(key for key in known if "." not in key and key != "__class__")) or "(none)"
    for f in filters:
        path = ".".join(f.path)
        if f.kind == "config" and path not in known:
            raise FuruQueryError(
                f"Filter {f.text!r}: no artifact's config has a field {path!r}.{_closest(path, known, BUILTIN_KEYS)} "
                f"Config fields: {top} (nested ones as data.name); built-in keys: {', '.join(BUILTIN_KEYS)}."
            )
    for key, _ in sort_parts(sort) if sort is not None else []:
        sort_path = key.removeprefix("config.") if key not in SORT_KEYS else None
        if sort_path is not None and sort_path not in known:
            raise FuruQueryError(
                f"Cannot sort by {key!r}: it is not one of {', '.join(SORT_KEYS)}, and no artifact's config has "
                f"that field.{_closest(sort_path, known, SORT_KEYS)} Config fields: {top} (nested ones as data.name)."
            )


def shadowed_config_keys(filters: Sequence[Filter], known: set[str]) -> list[Filter]:
    """Built-in filters (``name=toy``) whose key is also a config field (one of ``known``): the user may have meant it."""
    return [f for f in filters if f.kind != "config" and f.key in known]


def _closest(name: str, known: set[str], built_in: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, [*built_in, *sorted(known)], n=1)
    return f" Did you mean {close[0]!r}?" if close else ""
