"""Form helpers shared by every blueprint."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from flask import request
from wtforms import DecimalField


def is_safe_redirect(target: str | None) -> bool:
    """Only same-site paths: an open redirect after login is a phishing tool."""
    if not target:
        return False
    # Browsers read "\" as "/" and drop tabs and newlines, turning "/\evil" into "//evil".
    if "\\" in target or any(ord(char) < 32 for char in target):
        return False
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return parts.netloc == request.host and parts.scheme in {"http", "https"}
    return target.startswith("/") and not target.startswith("//")


def page_number() -> int:
    """The ``page`` query argument, forgiving of junk (never a 500)."""
    try:
        return max(1, int(request.args.get("page", 1)))
    except (TypeError, ValueError):
        return 1


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN, sNaN and Infinity with a form error.

    WTForms accepts them as Decimals, and NumberRange then crashes on "sNaN" (a 500) while
    "Infinity" passes and breaks the money arithmetic further on.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        value: Any = self.data
        if isinstance(value, Decimal) and not value.is_finite():
            self.data: Decimal | None = None
            raise ValueError(self.gettext("Not a valid decimal value."))
