"""What the NGO side's forms share: a problem to show, and the checks of typed codes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.platform.errors import N_, ValidationFailed

COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


MAX_PROJECT_MONTHS = 60  # a sanity bound for typed numbers; the call's cap is the real rule


MAX_COUNT = 10_000_000


@dataclass(frozen=True)
class Problem:
    """Something missing or wrong, as a msgid and its parameters (translated by the web layer)."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)


def clean_countries(values: Iterable[str]) -> list[str]:
    countries = list(dict.fromkeys(v.strip().upper() for v in values if v and v.strip()))
    bad = [c for c in countries if not COUNTRY_CODE.match(c)]
    if bad:
        raise ValidationFailed(N_("Unknown countries: %(codes)s."), codes=", ".join(bad))
    return countries


def clean_codes(values: Iterable[str], vocabulary: type[StrEnum]) -> list[str]:
    allowed = {member.value for member in vocabulary}
    chosen = list(dict.fromkeys(values))
    unknown = [value for value in chosen if value not in allowed]
    if unknown:
        raise ValidationFailed(N_("Unknown choices: %(codes)s."), codes=", ".join(unknown))
    return chosen
