"""The base of every on-disk record: a pydantic model that carries its schema version.

Writers stamp the current version; readers accept it and older ones, and
refuse newer ones with a message, so an old furu never misreads a file that a
newer furu wrote.

The link between artifacts that these records hold is :class:`furu.dependency_ref.DependencyRef`.
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
