"""The demo data, loaded by ``flask demo``: each loader is safe to run twice, and runs in order.

Each loader builds on the ones before it: the calls and applications need the demo people, the
reviews need the calls and applications, the grants need the reviews and money in the fund, and
the ledger is sealed last, over the money movements every loader above has posted. The generated
fund of ``flask demo --scale`` is in ``devtools.seed.scale``.
"""

from __future__ import annotations

from collections.abc import Callable

from devtools.seed.bank_accounts import load_demo_bank_accounts
from devtools.seed.calls_and_applications import load_demo_calls_and_applications
from devtools.seed.donations import load_demo_donations
from devtools.seed.grants import load_demo_grants
from devtools.seed.ledger import load_demo_ledger
from devtools.seed.monitoring import load_demo_monitoring
from devtools.seed.people import load_demo_users
from devtools.seed.questions import load_demo_questions
from devtools.seed.results import load_demo_results
from devtools.seed.reviews import load_demo_reviews
from devtools.seed.two_stage import load_demo_two_stage_call

DEMO_LOADERS: list[Callable[[], object]] = [
    load_demo_users,
    load_demo_calls_and_applications,
    load_demo_questions,  # the open call's own questions and answers (decision 0116)
    load_demo_donations,  # the contributions need the demo finance officer and donor
    load_demo_reviews,
    load_demo_bank_accounts,  # the grants' tranches are paid into confirmed accounts
    load_demo_grants,
    load_demo_results,  # results frameworks and actuals on two grants (decision 0112)
    load_demo_monitoring,  # a visit with recommendations on a grant (decision 0113)
    load_demo_two_stage_call,  # a two-stage call with concept notes (decision 0115)
    load_demo_ledger,
]


def load_demo() -> None:
    for loader in DEMO_LOADERS:
        loader()
