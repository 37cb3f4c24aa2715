"""Links to pages, for the business rules (a notice's link, a reminder's) without the web side.

A rule names the page the way the web side names it (``"grants.tranche"``, with its values) and
gets back its path; how paths are made (Flask's URL map) is the web side's business, installed
at start-up by app/bootstrap.py. Rules therefore import no Flask routing, and a test or a
command can install any builder it likes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PagePath = Callable[..., str]

_page_path: PagePath | None = None


def install(page_path: PagePath) -> None:
    """Hand over the function that makes a page's path from its name and values."""
    global _page_path
    _page_path = page_path


def page(name: str, **values: Any) -> str:
    """The path of page ``name`` (e.g. ``page("grants.tranche", tranche_id=3)``)."""
    if _page_path is None:
        raise RuntimeError("No page links: app/bootstrap.py installs them in create_app()")
    return _page_path(name, **values)
