"""Every page, asked with nonsense in its query string, answers without a server error.

People edit addresses, bookmarks go stale and crawlers guess: a page number that is not a
number, a cursor that was never issued, a date that does not exist or a filter value that is
not one of ours must give the page (ignoring or correcting the value) or a 4xx, never a 500.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from app.accounts.models import Role
from tests.factories import user_with
from tests.web.test_permission_matrix import _routes

WORDS = {
    "page": "abc",
    "after": "not-a-cursor",
    "before": "2026-13-45T99:99:99|x",
    "from": "2026-02-30",
    "to": "yesterday",
    "start": "0000-00-00",
    "end": "-1",
    "since": "31/31/2026",
    "until": "now",
    "status": "nope",
    "call_id": "abc",
    "donor": "١٢",  # digits, but not ASCII ones
    "kind": "<script>",
    "format": "exe",
    "country": "ZZZZ",
    "currency": "€€€",
    "q": "' OR 1=1 --",
    "role": "emperor",
    "lang": "xx",
}
# Numbers beyond what any column holds.
NUMBERED = ("page", "after", "before", "year", "call_id", "donor", "subject_id", "start")
HUGE = dict.fromkeys(NUMBERED, "99999999999999999999")
NEGATIVE = dict.fromkeys(NUMBERED, "-5")


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_no_page_fails_on_a_nonsense_query_string(app, client, sign_in, role):
    if role is not None:
        sign_in(user_with(role))
    failures = []
    for endpoint, url, method in _routes(app):
        if method != "GET" or endpoint in {"auth.logout", "static"}:
            continue
        for nonsense in (WORDS, HUGE, NEGATIVE):
            response = client.get(f"{url}?{urlencode(nonsense)}")
            if response.status_code >= 500:
                failures.append(f"{url}?{urlencode(nonsense)}: {response.status_code}")
    assert failures == []
