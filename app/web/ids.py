"""Record ids in URLs: ``<int:...>`` matches only what an id column can hold.

Every table's key is an ``Integer`` (32-bit on PostgreSQL); the one ``BigInteger`` key, the
audit events', is never in a URL. PostgreSQL refuses to compare an integer column with a larger
number (``integer out of range``, a 500), so ``/grants/99999999999999999999`` must not reach the
view: no route matches and the visitor gets the 404 of a missing page, HTML or an API problem
alike. One rule at the edge rather than a check in every view.

The limit is in the converter's regular expression, not only in ``to_python``: Werkzeug checks
the method before converting, so a path served by a GET rule and a POST rule would answer a POST
with a huge id 405 (the GET rule "matched") if the POST rule's conversion alone refused it.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter as _WerkzeugIntegerConverter
from werkzeug.routing import Map

LARGEST_ID = 2**31 - 1  # PostgreSQL's integer


def digits_up_to(largest: int) -> str:
    """A regular expression for the decimal numbers 0..``largest`` (leading zeros allowed, as
    Flask's ``int`` allows them)."""
    top = str(largest)
    shorter = [rf"\d{{1,{len(top) - 1}}}"] if len(top) > 1 else []
    same_length = [
        rf"{top[:i]}[0-{int(top[i]) - 1}]\d{{{len(top) - i - 1}}}"
        for i in range(len(top))
        if top[i] != "0"
    ]
    return "0*(?:" + "|".join([*shorter, *same_length, top]) + ")"


class IntegerConverter(_WerkzeugIntegerConverter):
    """Flask's ``int`` converter (unsigned), matching ids up to ``LARGEST_ID`` only, unless a
    rule says otherwise (``<int(max=...):name>``)."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = LARGEST_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)
        if max is not None and not signed:
            self.regex = digits_up_to(max)
