"""Hashing numpy arrays: every memory layout gives the C-order digest, with bounded copies."""

from __future__ import annotations

import tracemalloc
from typing import Annotated, Any

import numpy as np
import pytest

import furu
from examples import Everything
from furu import identity

# Pinned: the encoding of an array is part of the identity contract (see tests/test_identity.py).
ARRAY = np.arange(12, dtype="<f8").reshape(3, 4)
ARRAY_DIGEST = "4833864c20e4361f189db0448428cb16"
TRANSPOSED_DIGEST = "4e23ae15d7de16ce4c560c80a57f6377"


class HoldsSkipped(furu.Furu[None]):
    """An array that is stored but not hashed (checked for storability only)."""

    label: str = "x"
    weights: Annotated[Any, furu.skip_hash] = None

    def _create(self) -> None:
        return None

    def _load(self) -> None:
        return None


def _digest(value: Any) -> str:
    return Everything(when=value).furu_hash


def test_pinned_array_digests() -> None:
    assert _digest(ARRAY) == ARRAY_DIGEST
    assert _digest(ARRAY.T) == TRANSPOSED_DIGEST  # a view hashes as its values in C order
    assert _digest(np.ascontiguousarray(ARRAY.T)) == TRANSPOSED_DIGEST


def _layouts() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    base = rng.random((64, 30, 7))
    return {
        "transpose": base.T,
        "fortran": np.asfortranarray(base),
        "strided": base[:, ::3, :],
        "reversed": base[::-1],
        "1d-strided": base.reshape(-1)[::5],
        "swapped": base.swapaxes(0, 1),
        "empty": base[:, :0],
        "column": base[:, 1, :],
        "structured": np.zeros(1000, dtype=[("a", "<i4"), ("b", ">f8")])[::2],
        "bool": (base > 0.5)[::2],
        "tall-fortran": np.asfortranarray(rng.random((50_000, 2))),
        "wide-rows": np.asfortranarray(rng.random((3, 400_000))),  # one row is larger than a copy block
    }


@pytest.mark.parametrize("name", sorted(_layouts()))
def test_every_layout_hashes_like_its_c_order_copy(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "_ARRAY_BLOCK", 1 << 16)  # small blocks: every branch runs on small arrays
    array = _layouts()[name]
    assert not array.flags.c_contiguous or array.size == 0
    assert _digest(array) == _digest(np.ascontiguousarray(array))


def test_a_non_contiguous_array_is_hashed_without_a_full_copy() -> None:
    array = np.asfortranarray(np.random.default_rng(1).random((2048, 2048)))  # 32 MiB, Fortran order
    expected = _digest(np.ascontiguousarray(array))
    tracemalloc.start()
    try:
        assert _digest(array) == expected
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * identity._ARRAY_BLOCK + (1 << 20), f"hashing held {peak} bytes at once"


def test_a_skip_hash_array_is_checked_without_being_copied() -> None:
    weights = np.random.default_rng(2).random(4 * 2**20)  # 32 MiB
    tracemalloc.start()
    try:
        digest = HoldsSkipped(weights=weights).furu_hash
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest == HoldsSkipped(weights=None).furu_hash  # not part of the identity
    assert peak < 1 << 20, f"checking the skipped array held {peak} bytes at once"
