"""Selection, one module per use case: ``screening``, ``assignment`` (reviewers, their due
dates, conflicts of interest), ``reminders``, ``scoring`` (a reviewer's review),
``recommendation`` (the secretariat's recommendation and the Board pack) and ``board``
(meetings, votes, decisions); ``common`` holds who may act for the fund on an application.

Every function takes the acting user explicitly, checks the rules itself (the routes' checks
are a convenience, not the defence), flushes, and leaves the commit to its caller. Status
changes go through the workflows in app/reviews/workflow.py, which audit them.

App code imports from the use-case module. The names are also listed here because the
selection tests and the demo data call them as ``services.<name>`` across use cases.
"""

from app.reviews.services.assignment import (
    assign_reviewer,
    assign_suggested,
    assign_suggested_for_call,
    can_assign,
    can_remove_reviewer,
    declare_interest,
    reassign_review,
    remove_reviewer,
    set_due_date,
)
from app.reviews.services.board import (
    Voters,
    approved_decision_for,
    board_quorum,
    check_decision,
    close_meeting,
    create_meeting,
    decide_call,
    record_decision,
    voters_for,
)
from app.reviews.services.recommendation import (
    can_prepare_recommendation,
    recommend,
    send_board_pack,
)
from app.reviews.services.reminders import (
    send_review_reminders,
)
from app.reviews.services.scoring import (
    ScoreInput,
    save_review,
    submit_review,
)
from app.reviews.services.screening import (
    can_screen,
    record_screening,
    start_screening,
)

__all__ = [
    "ScoreInput",
    "Voters",
    "approved_decision_for",
    "assign_reviewer",
    "assign_suggested",
    "assign_suggested_for_call",
    "board_quorum",
    "can_assign",
    "can_prepare_recommendation",
    "can_remove_reviewer",
    "can_screen",
    "check_decision",
    "close_meeting",
    "create_meeting",
    "decide_call",
    "declare_interest",
    "reassign_review",
    "recommend",
    "record_decision",
    "record_screening",
    "remove_reviewer",
    "save_review",
    "send_board_pack",
    "send_review_reminders",
    "set_due_date",
    "start_screening",
    "submit_review",
    "voters_for",
]
