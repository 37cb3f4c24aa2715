"""A live app served in a thread, as the live Stripe tests and the browser journeys use it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from app.extensions import db


@dataclass
class LiveApp:
    app: Flask
    url: str
    stripe_base: str

    def wait_for(self, check: Callable[[], Any], what: str, timeout: float = 20) -> Any:
        """Poll the live app's database (a fresh snapshot each time) until ``check()`` is truthy,
        e.g. for a webhook that localstripe posts a moment later."""
        deadline = time.monotonic() + timeout
        while True:
            with self.app.app_context():
                db.session.rollback()
                found = check()
                if found:
                    return found
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}")
            time.sleep(0.25)
