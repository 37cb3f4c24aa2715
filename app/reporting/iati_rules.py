"""Checks an IATI file against an IATI Ruleset (the rules IATI's validator applies beyond the
schema), so the fund sees every rule an activity breaks, and why, before it publishes.

The ruleset is IATI's JSON document (``standard_py.json`` of IATI-Rulesets): for each context
(an XPath selecting elements), rule names with their cases. Each rule type is implemented here
from the ruleset specification (SPEC_PY.rst); ``range`` (a value between ``min`` and ``max``),
used by the Standard Ruleset but not in the specification, too. Where the specification's
words and IATI's own Python implementation (IATI-Rulesets) differ, the implementation is
followed: a case applies only where its ``condition`` holds (the Standard Ruleset's
policy-marker cases mean it so), and ``strict_sum`` fails when nothing is found to add up while
``sum`` then passes. This checker is stricter in three places, each as the rule intends: a
``regex_matches`` pattern must match the whole text (an identifier containing "/" fails),
``"NOW"`` in a date rule is today, and every ``excluded`` path of ``only_one_of`` counts. A
rule type this module does not know is reported as a failure, so a new ruleset cannot pass by
being ignored.

Each failure is attributed to the activity (``iati-identifier``) or organisation
(``organisation-identifier``) that holds the element it was found on.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app.platform.db import utcnow

Case = Mapping[str, Any]
Ruleset = Mapping[str, Mapping[str, Mapping[str, Sequence[Case]]]]
OWNERS = ("iati-activity", "iati-organisation")
IDENTIFIERS = {"iati-activity": "iati-identifier", "iati-organisation": "organisation-identifier"}


@dataclass(frozen=True)
class Failure:
    """One case of one rule broken on one element: where, which rule, and why."""

    owner: str  # the activity's or organisation's identifier
    context: str
    rule: str
    reason: str


@dataclass
class Report:
    checks: int = 0
    failures: list[Failure] = field(default_factory=list)

    def by_owner(self) -> dict[str, list[Failure]]:
        grouped: dict[str, list[Failure]] = {}
        for failure in self.failures:
            grouped.setdefault(failure.owner, []).append(failure)
        return grouped


def load_ruleset(path: Path) -> Ruleset:
    ruleset: Ruleset = json.loads(path.read_text(encoding="utf-8"))
    return ruleset


def _xpath(element: Any, expression: str) -> Any:
    return element.xpath(expression)


def _values(element: Any, expression: str) -> list[str]:
    """The text of what an XPath finds: attribute values, element texts, or a single value."""
    found = _xpath(element, expression)
    if not isinstance(found, list):
        return [str(found)]
    return [str(item if isinstance(item, str) else (item.text or "")) for item in found]


def _exists(element: Any, expression: str) -> bool:
    found = _xpath(element, expression)
    return bool(found)


def _day(text: str) -> date | None:
    if text == "NOW":
        return utcnow().date()
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _first_day(element: Any, expression: str) -> tuple[date | None, bool]:
    """The first date the XPath finds, and whether it found anything at all."""
    if expression == "NOW":
        return utcnow().date(), True
    values = _values(element, expression)
    if not values:
        return None, False
    return _day(values[0]), True


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


# Each check returns None when the case holds, or the reason it does not.
Check = Callable[[Any, Case], str | None]


def _atleast_one(element: Any, case: Case) -> str | None:
    if any(_exists(element, path) for path in case["paths"]):
        return None
    return f"none of {', '.join(case['paths'])} is present"


def _no_more_than_one(element: Any, case: Case) -> str | None:
    found = sum(len(_xpath(element, path)) for path in case["paths"])
    return None if found <= 1 else f"{found} found among {', '.join(case['paths'])}, at most 1"


def _only_one_of(element: Any, case: Case) -> str | None:
    excluded = [path for path in case["excluded"] if _exists(element, path)]
    present = [path for path in case["paths"] if _exists(element, path)]
    if excluded:
        if present:
            return f"{', '.join(present)} must not be given with {', '.join(excluded)}"
        return None
    if len(present) != 1:
        return (
            f"exactly one of {', '.join(case['paths'])} is needed when none of "
            f"{', '.join(case['excluded'])} is given ({len(present)} found)"
        )
    return None


# What ``all`` names in a one_or_all case: where each element must carry it instead.
_ONE_OR_ALL = {
    "lang": (".//narrative", "@xml:lang"),
    "currency": (".//value | .//forecast | .//loan-status", "@currency"),
    "sector": ("transaction", "sector"),
}


def _one_or_all(element: Any, case: Case) -> str | None:
    if _exists(element, case["one"]):
        return None
    each, needed = _ONE_OR_ALL.get(case["all"], (case["all"], "."))
    missing = [item for item in _xpath(element, each) if not _exists(item, needed)]
    if case["all"] == "sector" and not _xpath(element, each):
        return "no sector on the activity nor on its transactions"
    if missing:
        return f"{case['one']} is missing and {len(missing)} {each} lack {needed}"
    return None


def _dependent(element: Any, case: Case) -> str | None:
    present = [path for path in case["paths"] if _exists(element, path)]
    if present and len(present) != len(case["paths"]):
        missing = [path for path in case["paths"] if path not in present]
        return f"{', '.join(missing)} must be given with {', '.join(present)}"
    return None


def _sum(element: Any, case: Case, *, strict: bool = False) -> str | None:
    texts = [text for path in case["paths"] for text in _values(element, path)]
    if not texts and not strict:
        return None
    numbers = [_number(text) for text in texts]
    if any(number is None for number in numbers):
        return f"{', '.join(case['paths'])} must be numbers"
    total = sum((number for number in numbers if number is not None), Decimal(0))
    expected = Decimal(str(case["sum"]))
    if total == expected:
        return None
    return f"{', '.join(case['paths'])} add up to {total}, not {expected}"


def _strict_sum(element: Any, case: Case) -> str | None:
    return _sum(element, case, strict=True)


def _range(element: Any, case: Case) -> str | None:
    low, high = Decimal(str(case["min"])), Decimal(str(case["max"]))
    for path in case["paths"]:
        for text in _values(element, path):
            number = _number(text)
            if number is None or not low <= number <= high:
                return f"{path} is {text}, not between {low} and {high}"
    return None


def _date_order(element: Any, case: Case) -> str | None:
    less, found_less = _first_day(element, case["less"])
    more, found_more = _first_day(element, case["more"])
    if not (found_less and found_more):
        return None
    if less is None or more is None:
        return f"{case['less']} or {case['more']} is not a date"
    if less > more:
        return f"{case['less']} ({less}) is after {case['more']} ({more})"
    return None


def _date_now(element: Any, case: Case) -> str | None:
    moment, found = _first_day(element, case["date"])
    if found and (moment is None or moment > utcnow().date()):
        return f"{case['date']} is in the future or not a date"
    return None


def _time_limit(element: Any, case: Case) -> str | None:
    start, found_start = _first_day(element, case["start"])
    end, found_end = _first_day(element, case["end"])
    if not (found_start and found_end):
        return None
    if start is None or end is None:
        return f"{case['start']} or {case['end']} is not a date"
    try:
        limit = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        limit = start + timedelta(days=365)
    if end > limit:
        return f"the period {start} to {end} is longer than a year"
    return None


def _between_dates(element: Any, case: Case) -> str | None:
    start, _ = _first_day(element, case["start"])
    end, _ = _first_day(element, case["end"])
    for text in _values(element, case["date"]):
        moment = _day(text)
        if moment is None or start is None or end is None or not start <= moment <= end:
            return f"{case['date']} ({text}) is not between {start} and {end}"
    return None


def _regex_matches(element: Any, case: Case) -> str | None:
    pattern = re.compile(case["regex"])
    for path in case["paths"]:
        for text in _values(element, path):
            if not pattern.fullmatch(text):
                return f"{path} ({text!r}) does not match {case['regex']}"
    return None


def _regex_no_matches(element: Any, case: Case) -> str | None:
    pattern = re.compile(case["regex"])
    for path in case["paths"]:
        for text in _values(element, path):
            if pattern.search(text):
                return f"{path} ({text!r}) matches {case['regex']}"
    return None


def _startswith(element: Any, case: Case) -> str | None:
    prefixes = _values(element, case["start"])
    if not prefixes:
        return None
    for path in case["paths"]:
        for text in _values(element, path):
            if not text.startswith(prefixes[0]):
                return f"{path} ({text!r}) does not start with {prefixes[0]!r}"
    return None


def _unique(element: Any, case: Case) -> str | None:
    texts = [text for path in case["paths"] for text in _values(element, path)]
    repeated = sorted({text for text in texts if texts.count(text) > 1})
    return f"{', '.join(repeated)} repeated" if repeated else None


def _if_then(element: Any, case: Case) -> str | None:
    if _xpath(element, case["if"]) and not _xpath(element, case["then"]):
        return f"{case['then']} must hold when {case['if']}"
    return None


CHECKS: dict[str, Check] = {
    "atleast_one": _atleast_one,
    "no_more_than_one": _no_more_than_one,
    "only_one_of": _only_one_of,
    "one_or_all": _one_or_all,
    "dependent": _dependent,
    "sum": _sum,
    "strict_sum": _strict_sum,
    "range": _range,
    "date_order": _date_order,
    "date_now": _date_now,
    "time_limit": _time_limit,
    "between_dates": _between_dates,
    "regex_matches": _regex_matches,
    "regex_no_matches": _regex_no_matches,
    "startswith": _startswith,
    "unique": _unique,
    "if_then": _if_then,
}


def _substitute(case: Case, keys: Sequence[str], value: str) -> dict[str, Any]:
    """``case`` with ``$1`` replaced by ``value`` in the keys named by a loop's ``subs``."""
    result = dict(case)
    for key in keys:
        if isinstance(result.get(key), str):
            result[key] = result[key].replace("$1", value)
        elif isinstance(result.get(key), list):
            result[key] = [item.replace("$1", value) for item in result[key]]
    return result


def _cases(element: Any, rule: str, case: Case) -> Iterator[tuple[str, Case]]:
    """The (rule, case) pairs one case stands for: itself, or a loop's cases per value."""
    if rule != "loop":
        yield rule, case
        return
    values = dict.fromkeys(_values(element, case["foreach"]))  # each value once, in order
    for value in values:
        for inner_rule, inner in case["do"].items():
            for inner_case in inner["cases"]:
                yield inner_rule, _substitute(inner_case, case.get("subs", []), value)


def _owner(element: Any) -> str:
    for candidate in (element, *element.iterancestors()):
        tag = candidate.tag if isinstance(candidate.tag, str) else ""
        if tag in OWNERS:
            return str(candidate.findtext(IDENTIFIERS[tag]) or "").strip() or f"({tag})"
    return "(file)"


def check_document(document: Any, ruleset: Ruleset) -> Report:
    """Every case of every rule of ``ruleset`` on the parsed IATI file ``document``."""
    report = Report()
    for context, rules in ruleset.items():
        for element in _xpath(document, context):
            for rule, body in rules.items():
                for outer in body["cases"]:
                    if "condition" in outer and not _xpath(element, outer["condition"]):
                        continue
                    for name, case in _cases(element, rule, outer):
                        report.checks += 1
                        check = CHECKS.get(name)
                        reason = (
                            check(element, case)
                            if check is not None
                            else f"the rule type {name!r} is not known to this checker"
                        )
                        if reason is not None:
                            report.failures.append(Failure(_owner(element), context, name, reason))
    return report


def checker_available() -> bool:
    """Whether lxml, whose XPath the rules are written in, is installed."""
    return importlib.util.find_spec("lxml") is not None


def check_text(text: str | bytes, ruleset: Ruleset) -> Report:
    # Imported here: the application runs without lxml, and only checking needs it.
    from lxml import etree

    data = text.encode() if isinstance(text, str) else text
    return check_document(etree.fromstring(data), ruleset)
