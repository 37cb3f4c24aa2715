"""Fixtures for these tests."""

from tests.ngo import storage  # noqa: F401 - a fixture
