"""Fixtures for these tests: files go where the app serves them from (documents are fetched)."""

from __future__ import annotations

import pytest

from app.platform.storage import LocalStorage, get_storage


@pytest.fixture
def storage(app) -> LocalStorage:
    stored = get_storage()
    assert isinstance(stored, LocalStorage)
    return stored
