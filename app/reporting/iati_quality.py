"""The IATI file's data quality: every Standard Ruleset rule each activity breaks, and why, with
the grant it comes from, so a missing sector is fixed where it starts (the application)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.grants.models import Grant
from app.platform.errors import N_
from app.platform.extensions import db
from app.reporting.iati import iati_activities
from app.reporting.iati_rules import Failure, Ruleset, check_text
from app.reporting.iati_xml import IatiPublisher, activity_identifier

# What to do about a broken rule, by a word its reason names (in English, for gettext).
FIXES = (
    (
        "sector",
        N_("Choose the groups the project reaches in the application: they give its sectors."),
    ),
    ("recipient", N_("Check the countries of the application.")),
)


@dataclass(frozen=True)
class ActivityQuality:
    identifier: str
    grant_id: int | None
    reference: str | None
    title: str | None
    failures: list[Failure]

    @property
    def lacks_groups(self) -> bool:
        """A grant's activity with no sector: its groups, which give them, are to be chosen."""
        return self.grant_id is not None and any("sector" in f.reason for f in self.failures)

    def fixes(self) -> list[str]:
        found = [fix for word, fix in FIXES if any(word in f.reason for f in self.failures)]
        return list(dict.fromkeys(found))


@dataclass(frozen=True)
class QualityReport:
    checks: int
    failed_checks: int
    activities: list[ActivityQuality]  # only those that break a rule, in the file's order


def iati_quality(publisher: IatiPublisher, ruleset: Ruleset) -> QualityReport:
    """Makes the activity file as it would be published and checks it against ``ruleset``."""
    report = check_text("".join(iati_activities(publisher)), ruleset)
    broken = report.by_owner()
    grants = {
        activity_identifier(publisher, reference): (grant_id, reference, title)
        for grant_id, reference, title in db.session.execute(
            sa.select(Grant.id, Grant.reference, Grant.title)
        ).all()
    }
    activities = []
    for identifier, failures in broken.items():
        grant_id, reference, title = grants.get(identifier, (None, None, None))
        activities.append(
            ActivityQuality(
                identifier=identifier,
                grant_id=grant_id,
                reference=reference,
                title=title,
                failures=failures,
            )
        )
    return QualityReport(
        checks=report.checks, failed_checks=len(report.failures), activities=activities
    )
