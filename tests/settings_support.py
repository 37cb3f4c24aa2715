"""Running a test under other settings: the app's typed settings replaced for that test only."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Flask

from app.platform.settings import EXTENSION_KEY, Settings


def change_settings(monkeypatch: Any, app: Flask, concern: str, **values: Any) -> Settings:
    """``app``'s settings with ``values`` changed in one concern (``reviews``, ``uploads``...),
    until the test ends."""
    current: Settings = app.extensions[EXTENSION_KEY]
    changed = replace(current, **{concern: replace(getattr(current, concern), **values)})
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, changed)
    return changed
