"""Why an export or an import was refused.

Every refusal of a bundle is a :class:`FuruBundleError`: the message names the
bundle and the offending entry, and says that nothing was written (the
importer only ever writes into a private staging directory before every
check has passed, and removes it on the way out).
"""

from __future__ import annotations

from pathlib import Path

from furu.errors import FuruError

NOTHING_WRITTEN = "Nothing was written."


class FuruExportError(FuruError):
    """An export cannot be made (an artifact has no result, a file vanished, ...)."""


class FuruBundleError(FuruError):
    """A bundle was refused as a whole; nothing was imported."""

    def __init__(self, bundle: str | Path, problem: str) -> None:
        self.bundle = str(bundle)
        self.problem = problem
        super().__init__(f"Refused bundle {Path(bundle).name}: {problem} {NOTHING_WRITTEN}")


class FuruBundleUnsafe(FuruBundleError):
    """An entry could write outside its place: absolute path, ``..``, a link leading out,
    a device or fifo, a duplicate, or an entry the manifest does not list."""


class FuruBundleCorrupt(FuruBundleError):
    """A file's size or digest differs from the manifest's."""


class FuruBundleTruncated(FuruBundleError):
    """The bundle ends early: a file is cut short or entries the manifest lists are missing."""


class FuruBundleInvalid(FuruBundleError):
    """The file is not a furu bundle, or its manifest does not validate."""


class FuruBundleTooNew(FuruBundleError):
    """The bundle was written by a newer furu with a schema this one cannot read."""
