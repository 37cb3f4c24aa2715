"""A grant's groups (its IATI sectors) chosen by the fund manager from the data-quality page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.platform.errors import PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.reporting.iati_fixes import correct_groups
from tests.factories import user_with
from tests.reporting_support import build_scenario


def test_the_fund_manager_chooses_the_groups_and_it_is_audited(app):
    grant = build_scenario().grant
    grant.application.target_groups = []
    fund_manager = user_with(Role.FUND_MANAGER)

    correct_groups(actor=fund_manager, grant=grant, groups=["children", "lgbtqi", "children"])

    assert grant.application.target_groups == ["children", "lgbtqi"]
    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "grant.groups_corrected")
    ).scalar_one()
    assert event.actor_id == fund_manager.id
    assert event.changes == {"target_groups": {"from": [], "to": ["children", "lgbtqi"]}}


def test_no_group_or_an_unknown_one_is_refused(app):
    grant = build_scenario().grant
    fund_manager = user_with(Role.FUND_MANAGER)
    with pytest.raises(ValidationFailed):
        correct_groups(actor=fund_manager, grant=grant, groups=[])
    with pytest.raises(ValidationFailed):
        correct_groups(actor=fund_manager, grant=grant, groups=["martians"])


def test_only_the_fund_manager_may(app):
    grant = build_scenario().grant
    with pytest.raises(PermissionDenied):
        correct_groups(actor=user_with(Role.FINANCE), grant=grant, groups=["children"])
