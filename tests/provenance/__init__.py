"""Tests of furu.provenance (a package, so its conftest does not shadow tests/conftest.py)."""
