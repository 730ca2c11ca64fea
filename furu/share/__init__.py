"""Sharing experiments: ``export`` artifacts into one bundle file, ``import_bundle`` it elsewhere.

::

    from furu.share import export, import_bundle
    export(["3f2a", Train(lr=3e-4)], "results.furu.tar")      # + dependencies and code
    report = import_bundle("results.furu.tar")                  # in the colleague's project
    Train(lr=3e-4).load_or_create()                             # loads; _create does not run

The bundle format
-----------------
A bundle is an **uncompressed POSIX (pax) tar file**::

    furu-bundle.json       header: format name and schema version (always first)
    data/<module parts>/<QualName>/<hash>/...          artifacts of <data root>/data/
    artifacts/<module parts>/<QualName>/<hash>/...     version-controlled artifacts
    code.bundle            the snapshot commits as a standard git bundle (v2)
    manifest.json          every entry with size and xxh3-128 digest; experiments
                           with a Python snippet and JSON config; (always last)

Why tar, uncompressed: it streams (the writer hashes each file in the same
pass that copies it and the reader verifies while extracting, so every byte
is read once on each side), it needs no index up front (the manifest goes
last, once the digests are known), its entries carry symlinks and modes, and
anyone can inspect or unpack a bundle with ``tar`` alone. Results are mostly
already-compressed binaries (models, arrays), so compression would cost far
more time than it saves space; compress the file yourself when it pays.
The header comes first so a furu that cannot read the bundle says so before
reading gigabytes. ``code.bundle`` is what ``git bundle create`` makes, so
``git bundle verify`` and ``git fetch code.bundle`` work on it directly.

The layout below ``data/`` and ``artifacts/`` mirrors the data roots, so each
artifact lands at the same place relative to the receiver's roots, where the
same config's ``load_or_create`` looks for it.
"""

import sys
import types
from typing import TYPE_CHECKING, Any

from furu._lazy import lazy_attributes
from furu.share.errors import (
    FuruBundleCorrupt,
    FuruBundleError,
    FuruBundleInvalid,
    FuruBundleTooNew,
    FuruBundleTruncated,
    FuruBundleUnsafe,
    FuruExportError,
)

if TYPE_CHECKING:
    from furu.share.export import CodeMode, ExportedExperiment, ExportReport, export
    from furu.share.importing import CodeImport, ImportedExperiment, ImportReport, import_bundle
    from furu.share.manifest import BundleHeader, BundleManifest, CodeEntry, ExperimentEntry, FileEntry

# Each side loads on first use: ``furu import`` never needs the catalog that export resolves
# references with, and ``furu export`` never needs the importer; both are whole processes
# whose start-up counts against tar's (the issue-12 goal).
__getattr__ = lazy_attributes(
    "furu.share",
    {
        **dict.fromkeys(("CodeMode", "ExportedExperiment", "ExportReport", "export"), "furu.share.export"),
        **dict.fromkeys(("CodeImport", "ImportedExperiment", "ImportReport", "import_bundle"), "furu.share.importing"),
        **dict.fromkeys(
            ("BundleHeader", "BundleManifest", "CodeEntry", "ExperimentEntry", "FileEntry"), "furu.share.manifest"
        ),
    },
)


class _Package(types.ModuleType):
    """Keeps ``furu.share.export`` the function once the submodule of the same name is loaded.

    Importing ``furu.share.export`` (the module) binds it as this package's ``export``
    attribute; eager imports used to rebind the function straight after, and a lazy one
    cannot. The submodule stays reachable as ``sys.modules["furu.share.export"]``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "export" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "BundleHeader",
    "BundleManifest",
    "CodeEntry",
    "CodeImport",
    "CodeMode",
    "ExperimentEntry",
    "ExportReport",
    "ExportedExperiment",
    "FileEntry",
    "FuruBundleCorrupt",
    "FuruBundleError",
    "FuruBundleInvalid",
    "FuruBundleTooNew",
    "FuruBundleTruncated",
    "FuruBundleUnsafe",
    "FuruExportError",
    "ImportReport",
    "ImportedExperiment",
    "export",
    "import_bundle",
]
