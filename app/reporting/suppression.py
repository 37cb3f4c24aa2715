"""Small-count suppression for public outputs (DESIGN.md §6: counts below 5 are not shown).

A suppressed count is ``None``; the page shows it as "<5" and the JSON as the string "<5".
When exactly one cell of a table would be suppressed, the smallest other non-zero cell is
suppressed too, so the hidden count cannot be worked out from the table's total.
"""

from __future__ import annotations

from collections.abc import Mapping

THRESHOLD = 5
SUPPRESSED = "<5"


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def suppress(count: int) -> int | None:
    """The count, or None when it is too small to publish."""
    return None if is_small(count) else count


def suppress_table(cells: Mapping[str, int]) -> dict[str, int | None]:
    """Every cell suppressed when small, plus one more when a single cell alone is hidden."""
    result: dict[str, int | None] = {key: suppress(value) for key, value in cells.items()}
    hidden = [key for key, value in result.items() if value is None]
    if len(hidden) == 1:
        candidates = [
            (value, key) for key, value in cells.items() if value > 0 and key not in hidden
        ]
        if candidates:
            result[min(candidates)[1]] = None
    return result


def public_value(count: int | None) -> int | str:
    """For JSON: the count, or "<5"."""
    return SUPPRESSED if count is None else count
