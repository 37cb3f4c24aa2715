"""The search page and the header's search box (for readers who may find something)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from app.accounts.permissions import Permission
from app.search import services
from app.search.services import Hit, Kind
from app.search.text import chunks, fold_spans
from app.web.access import requires
from app.web.forms import page_number

bp = Blueprint("search", __name__, template_folder="../templates", url_prefix="/search")

PER_PAGE = 10
SNIPPET_CHARACTERS = 220

HEADINGS = {
    Kind.APPLICATION: _l("Applications"),
    Kind.ORGANISATION: _l("Organisations"),
    Kind.GRANT: _l("Grants"),
    Kind.DONOR: _l("Donors"),
    Kind.GIFT: _l("Gifts"),
    Kind.PLEDGE: _l("Pledges"),
    Kind.BANK_RECEIPT: _l("Bank receipts"),
}


@bp.app_context_processor
def search_box() -> dict[str, bool]:
    """Whether the page frame shows the search box: only to readers with something to find."""
    if not current_user.is_authenticated:
        return {"search_box": False}
    return {"search_box": bool(services.searchable_kinds(current_user))}


def _link(hit: Hit) -> str:
    match hit.kind:
        case Kind.APPLICATION:
            return url_for("applications.show", application_id=hit.id)
        case Kind.ORGANISATION:
            return url_for("organisations.show", organisation_id=hit.id)
        case Kind.GRANT:
            return url_for("grants.show", grant_id=hit.id)
        case Kind.DONOR:
            return url_for("donations.contributions", donor=hit.id)
        case Kind.GIFT:
            return url_for("donations.gift", gift_id=hit.id)
        case Kind.PLEDGE:
            return url_for("donations.pledge", pledge_id=hit.id)
        case Kind.BANK_RECEIPT:
            return url_for("donations.bank_receipt", receipt_id=hit.id)


def marked(text: str, words: list[str]) -> Markup:
    """``text`` escaped, then its matches wrapped in <mark>."""
    return Markup("").join(
        Markup("<mark>%s</mark>") % piece if hit else escape(piece)
        for piece, hit in chunks(text, fold_spans(text, words))
    )


def snippet(text: str, words: list[str]) -> Markup:
    """About SNIPPET_CHARACTERS of ``text`` around its first match, marked."""
    text = " ".join(text.split())
    if len(text) > SNIPPET_CHARACTERS:
        spans = fold_spans(text, words)
        start = max(0, spans[0][0] - SNIPPET_CHARACTERS // 3) if spans else 0
        end = start + SNIPPET_CHARACTERS
        cut = text[start:end]
        return (
            (Markup("… ") if start else Markup(""))
            + marked(cut, words)
            + (Markup(" …") if end < len(text) else Markup(""))
        )
    return marked(text, words)


@bp.get("")
@requires(Permission.VIEW_DASHBOARD)
def results() -> Any:
    text = request.args.get("q", "").strip()[:200]
    kind = request.args.get("kind", "")
    only = [Kind(kind)] if kind in set(Kind) else None
    page = page_number() if only else 1
    query = services.parse(text)
    found = services.search(actor=current_user, text=text, kinds=only, page=page, per_page=PER_PAGE)
    groups = [
        {
            "kind": group.kind,
            "heading": HEADINGS[group.kind],
            "has_more": group.has_more,
            "hits": [
                {
                    "url": _link(hit),
                    "title": marked(hit.title, query.words),
                    "snippet": snippet(hit.text, query.words) if hit.text != hit.title else None,
                }
                for hit in group.hits
            ],
        }
        for group in found
    ]
    return render_template(
        "search/results.html",
        q=text,
        kind=only[0] if only else None,
        page=page,
        groups=groups,
        can_search=bool(services.searchable_kinds(current_user)),
    )
