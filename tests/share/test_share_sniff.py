"""Which result files run pickle on load, told from their bytes (and names) as they stream past."""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np
import pytest

from furu.share.sniff import PickleSniffer, sniff_bytes


def zip_bytes(names: list[str], filler: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, b"\x00" * filler)
    return buffer.getvalue()


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_pickles_of_every_modern_protocol(protocol: int) -> None:
    assert sniff_bytes("result.bin", pickle.dumps({"a": 1}, protocol=protocol)) == "pickle"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("model.pt", zip_bytes(["archive/data.pkl", "archive/data/0"]), "torch"),
        ("weights.ckpt", zip_bytes(["archive/version", "archive/data/0", "archive/data.pkl"]), "torch"),
        ("legacy.pt", pickle.dumps([1, 2]), "torch"),
        ("model.joblib", pickle.dumps([1, 2]), "joblib"),
        ("model.joblib", b"\x1f\x8b\x08compressed joblib", "joblib"),
        ("old.pkl", b"(lp0\nI1\na.", "pickle"),
        ("table.pkl.gz", b"\x1f\x8b\x08", "pickle"),
        ("objects.npy", npy_bytes(np.array([{"a": 1}, None], dtype=object)), "numpy-object"),
        ("floats.npy", npy_bytes(np.arange(4.0)), None),
        ("arrays.npz", zip_bytes(["a.npy", "b.npy"]), None),
        ("results.json", b'{"accuracy": 0.9}', None),
        ("empty.txt", b"", None),
        ("data.csv", b"\x80 is not a pickle protocol here", None),
    ],
)
def test_formats(name: str, data: bytes, expected: str | None) -> None:
    assert sniff_bytes(name, data) == expected


def test_a_torch_archive_is_found_from_its_tail_when_streamed_in_chunks() -> None:
    data = zip_bytes(["archive/version", "archive/data/0", "archive/data.pkl"], filler=3_000_000)
    sniffer = PickleSniffer("weights.bin")
    for start in range(0, len(data), 1 << 20):
        sniffer.feed(memoryview(data)[start : start + (1 << 20)])
    assert sniffer.result() == "torch"
