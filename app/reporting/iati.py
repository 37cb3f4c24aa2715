"""The fund's grants as IATI 2.03 activities, with their transactions (DOMAIN.md "Export").

One activity for the fund itself carries the money coming in: pledges (13, incoming pledge),
confirmed pledges (11, incoming commitment) and money received (1, incoming funds: each bank
receipt, and card gifts added up per month so that no individual donor appears). One activity
per grant carries the money going out: the award (2, outgoing commitment), each tranche paid
(3, disbursement) and the programme support cost charged on it (4, expenditure). Money coming
back is the same types with negative values, as IATI allows: unspent funds the grantee returns
(a negative disbursement, and the support cost given back with them a negative expenditure) and
what was committed but never paid, released at closure (a negative outgoing commitment). So a
grant's transactions add up to what the ledger shows it cost the fund.

The activities are built in app/reporting/iati_activities.py, from the XML pieces of
app/reporting/iati_xml.py. Written as a stream of text: activities are serialised one at a time
and grants are read in pages, so the file can be as large as the fund without holding it in
memory.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.grants.models import Grant
from app.platform.db import utcnow
from app.platform.extensions import db
from app.reporting.iati_activities import fund_activity, grant_activity
from app.reporting.iati_xml import VERSION, IatiPublisher

PAGE = 200


def _grants() -> Iterator[Grant]:
    """Every grant with its tranches, a page at a time (keyset on the id)."""
    after = 0
    while True:
        page = list(
            db.session.execute(
                sa.select(Grant)
                .options(selectinload(Grant.tranches), selectinload(Grant.refunds))
                .where(Grant.id > after)
                .order_by(Grant.id)
                .limit(PAGE)
            ).scalars()
        )
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].id
        db.session.expire_all()


def iati_activities(
    publisher: IatiPublisher, *, generated: datetime | None = None
) -> Iterator[str]:
    """The IATI activities file, as pieces of text to write or stream one after another."""
    moment = (generated or utcnow()).replace(microsecond=0)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (f'<iati-activities version="{VERSION}" generated-datetime="{moment.isoformat()}">\n')
    yield ET.tostring(fund_activity(publisher), encoding="unicode") + "\n"
    for grant in _grants():
        yield ET.tostring(grant_activity(grant, publisher), encoding="unicode") + "\n"
    yield "</iati-activities>\n"
