"""Fixtures for these tests."""

from tests.applications_support import storage  # noqa: F401 - a fixture
