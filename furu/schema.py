"""The base of every on-disk record: a pydantic model that carries its schema version.

Writers stamp the current version; readers accept it and older ones, and
refuse newer ones with a message, so an old furu never misreads a file that a
newer furu wrote.

:class:`DependencyRef`, the one piece that ``config.json``, ``metadata.json`` and the catalog's
records all hold, lives here too: the catalog then reads dependencies without importing
:mod:`furu.metadata` and the models behind it (host, environment, git, resources).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, field_validator


class Record(BaseModel):
    """A versioned on-disk record (metadata.json, state.json, manifest, ...).

    ``defer_build``: a record's validator and serializer are built when it is first used, not
    when its module is imported, so a command pays only for the records it reads or writes
    (``furu ls`` reads none of metadata.json's). Validation and output are the same either way.
    """

    model_config = ConfigDict(extra="ignore", defer_build=True)

    SCHEMA_VERSION: ClassVar[int] = 1
    schema_version: int = 1

    @field_validator("schema_version")
    @classmethod
    def _not_newer(cls, value: int) -> int:
        if value > cls.SCHEMA_VERSION:
            raise ValueError(
                f"{cls.__name__} schema version {value} is newer than this furu understands "
                f"({cls.SCHEMA_VERSION}); upgrade furu (pip install -U furu)"
            )
        return value


class DependencyRef(BaseModel):
    """Another artifact this one depends on."""

    # Here rather than in furu.metadata (which re-exports it) so the catalog need not import that.
    # The docstring above is the JSON schema's description: keep it as it was.
    model_config = ConfigDict(defer_build=True)  # built on first use, as Record explains

    fqn: str
    hash: str
