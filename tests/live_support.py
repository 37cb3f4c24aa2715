"""A live app served in a thread, as the live Stripe tests and the browser journeys use it."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.platform.extensions import db


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


@contextmanager
def running_localstripe(port: int, log: Path, *, start_within: float = 30) -> Iterator[str]:
    """localstripe (a fake Stripe from PyPI, the dev extra) on ``port``; yields its base URL."""
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed module
            [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://localhost:{port}"
    deadline = time.monotonic() + start_within
    while True:
        try:
            with urllib.request.urlopen(f"{base}/js.stripe.com/v3/", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"localstripe did not start: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
