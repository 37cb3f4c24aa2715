"""Phones (issue 19): at 375 px no page of any role scrolls sideways.

Each demo role signs in and opens its main pages in a 375x800 window. A page passes when the
document is no wider than the window (``scrollWidth <= innerWidth``): a wide data table may
scroll inside its own box, which must then be reachable by keyboard and named (axe's
scrollable-region-focusable rule, checked at each step).
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from app.accounts.models import Organisation, User
from app.applications.models import Application
from app.donations.models import Pledge
from app.grants.models import Grant
from app.platform.extensions import db
from app.reviews.models import AssignmentStatus, Review, ReviewAssignment, ReviewStatus
from devtools.seed.people import demo_email

PHONE = {"width": 375, "height": 800}
# A long gift as each walked language types it, and the end of it as the Give button shows it
# (in French grouped with narrow no-break spaces: one long unbreakable run of text).
LONG_AMOUNT = {
    "fr": ("1000000000000000000000,00", "000\u202f000,00"),
    "ar": ("1000000000000000000000.00", "000,000.00"),
}


def _ids(live: Any) -> dict[str, Any]:
    """The demo rows the walk opens: an NGO's application, a grant, a review, a pledge."""
    with live.app.app_context():
        scalar = db.session.scalar
        ngo = scalar(sa.select(Organisation.id).where(Organisation.name == "Safe Haven Initiative"))
        reviewers = sa.select(User.id).where(
            User.email.in_([demo_email("reviewer"), demo_email("reviewer2")])
        )
        ids = {
            "application": scalar(
                sa.select(Application.id).where(Application.organisation_id == ngo).limit(1)
            ),
            "grant": scalar(sa.select(Grant.id).order_by(Grant.id).limit(1)),
            # One still to review: the page is the review form, not the submitted review.
            "assignment": scalar(
                sa.select(ReviewAssignment.id)
                .where(
                    ReviewAssignment.reviewer_id.in_(reviewers),
                    ReviewAssignment.status == AssignmentStatus.ACTIVE,
                    ~sa.exists().where(
                        Review.assignment_id == ReviewAssignment.id,
                        Review.status == ReviewStatus.SUBMITTED,
                    ),
                )
                .order_by(ReviewAssignment.id)
                .limit(1)
            ),
            "pledge": scalar(sa.select(Pledge.id).order_by(Pledge.id).limit(1)),
        }
        # Signed in by e-mail address: reviewer or reviewer2, whoever has that review to do.
        ids["reviewer"] = scalar(
            sa.select(User.email)
            .join(ReviewAssignment, ReviewAssignment.reviewer_id == User.id)
            .where(ReviewAssignment.id == ids["assignment"])
        )
    missing = [name for name, value in ids.items() if value is None]
    assert not missing, f"the demo data has no {missing}"
    return ids


def _pages(ids: dict[str, Any]) -> dict[str, list[str]]:
    application = f"/applications/{ids['application']}"
    grant = f"/grants/{ids['grant']}"
    return {
        "ngo": [
            "/",
            "/applications/",
            application,
            f"{application}/sections/summary",
            f"{application}/sections/budget",
            f"{application}/sections/workplan",
            "/grants/",
            "/organisations/mine",
            "/calls/",
        ],
        "fund_manager": [
            "/dashboard",
            "/applications/all",
            application,
            "/reviews/",
            "/grants/manage",
            grant,
            "/grants/disbursements",
            "/donations/pledges",
            f"/pledges/{ids['pledge']}",
            "/ledger/",
            "/reports/iati/quality",
        ],
        "finance": [
            "/dashboard",
            "/grants/disbursements",
            grant,
            "/donations/pledges",
            f"/pledges/{ids['pledge']}",
            "/donations/contributions",
            "/ledger/",
        ],
        ids["reviewer"]: ["/reviews/mine", f"/reviews/assignments/{ids['assignment']}"],
        "board": ["/reviews/board"],
        "auditor": ["/dashboard", "/audit/", "/ledger/"],
        "admin": ["/admin/users", "/audit/"],
        "donor": [
            "/my/giving",
            "/pledges/new",
            "/give",
            "/open-data/iati",
        ],
    }


def _too_wide(page: Any) -> str | None:
    """None when the page fits the window; else its width and the widest elements that stick
    out, to say what to fix."""
    return page.evaluate(
        """() => {
            const width = window.innerWidth;
            const page = document.documentElement.scrollWidth;
            if (page <= width) return null;
            const out = [];
            // The outermost elements that stick out, past the right edge or (right to left)
            // the left one: their parent still fits.
            for (const e of document.body.querySelectorAll('*')) {
                const r = e.getBoundingClientRect();
                const p = e.parentElement.getBoundingClientRect();
                const right = r.right > width + 1 && p.right <= width + 1;
                if (right || (r.left < -1 && p.left >= -1)) {
                    const name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                        + (e.className && typeof e.className === 'string'
                           ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
                    out.push(name + ' (' + Math.round(r.left) + '..' + Math.round(r.right) + ')');
                }
            }
            return page + ' px wide: ' + out.slice(0, 6).join(', ');
        }"""
    )


# French: its longer words and amounts ("USD 1 000,00") are the harder fit. Arabic: right to
# left, where an element placed with "left" or a margin on the wrong side sticks out past the
# window's left edge (scrollable too) instead. One walk of every role per language.
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_no_page_scrolls_sideways_on_a_phone(cast, live):
    pages = _pages(_ids(live))
    problems = []
    for role, paths in pages.items():
        person = cast.sign_in(role)
        person.page.set_viewport_size(PHONE)
        for path in paths:
            person.open(path)
            person.step(f"{role}-{path}")
            if path == "/give":
                # The button names the gift: a long amount must wrap, not widen the page.
                typed, shown = LONG_AMOUNT[cast.lang]
                person.page.locator("#custom_amount").fill(typed)
                person.page.locator("input[name=frequency][value=monthly]").check()
                # "Donner USD 1 000 000 ... ,00 chaque mois".
                assert shown in person.page.locator("#give-button").inner_text()
                person.step("donor-give-long-amount")
            wide = _too_wide(person.page)
            if wide:
                problems.append(f"{role} {path}: {wide}")
        person.context.close()
        cast.actors.remove(person)
    assert not problems, "Pages wider than a 375 px phone:\n" + "\n".join(problems)
