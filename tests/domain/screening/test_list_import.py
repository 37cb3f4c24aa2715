"""Importing the list: versions and hashes kept; malformed, truncated or empty lists refused
whole, the list in force kept and the administrators told."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.notifications.models import Notification
from app.platform.extensions import db
from app.screening.models import EntryKind, SanctionEntry, SanctionsList
from app.screening.services.list_import import ImportRefused, current_list, parse_list
from tests.applications_support import ngo_organisation
from tests.factories import user_with
from tests.screening_support import LIST_PATH, import_test_list, list_bytes, open_hits_of

EMPTY = b"""<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-12-02T10:00:00.000-05:00">
<INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>"""


def test_the_list_is_read_with_names_aliases_dates_and_nationalities():
    generated, entries = parse_list(list_bytes())
    assert generated == "2026-12-01T10:00:00.000-05:00"
    by_id = {e.data_id: e for e in entries}
    person = by_id["9900001"]
    assert person.kind == EntryKind.INDIVIDUAL
    assert person.reference_number == "QDi.901"
    assert person.names == [
        ["MUHAMMAD YUSUF AL-RASHID", ""],
        ["محمد يوسف الراشد", "original script"],
        ["Abu Yusuf", "Low"],
    ]
    assert person.details["nationality"] == ["Testland"]
    assert person.details["date_of_birth"] == ["1970-05-17"]
    assert by_id["9900002"].details["date_of_birth"] == ["1965"]
    assert by_id["9900003"].kind == EntryKind.ENTITY
    assert ["BLUE HORIZON RELIEF FUND", "a.k.a."] in by_id["9900003"].names


def test_each_import_keeps_its_version_and_hash(app):
    result = import_test_list()
    assert result.version is not None
    assert result.version.sha256 == hashlib.sha256(list_bytes()).hexdigest()
    assert result.version.entry_count == 4 and result.added == 4

    smaller = list_bytes(replace=("<DATAID>9900004</DATAID>", "<DATAID>9900005</DATAID>"))
    second = import_test_list(smaller)
    assert (second.added, second.removed) == (1, 1)
    assert current_list() is second.version
    removed = db.session.execute(
        sa.select(SanctionEntry).where(SanctionEntry.data_id == "9900004")
    ).scalar_one()
    assert removed.removed_at is not None


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>", id="malformed"),
        pytest.param(list_bytes()[: len(list_bytes()) // 2], id="truncated"),
        pytest.param(EMPTY, id="empty"),
        pytest.param(b"<html><body>Service unavailable</body></html>", id="not-the-list"),
    ],
)
def test_a_bad_list_is_refused_whole(app, data):
    with pytest.raises(ImportRefused):
        import_test_list(data)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda: list_bytes()[:-200], id="truncated"),
        pytest.param(lambda: list_bytes().replace(b"</ENTITY>", b"</ENTTY>", 1), id="malformed"),
        pytest.param(lambda: EMPTY, id="empty"),
    ],
)
def test_a_refused_import_keeps_the_list_in_force_and_tells_the_administrators(
    app, runner, tmp_path, bad
):
    admin = user_with(Role.ADMIN)
    assert runner.invoke(args=["screening", "import", str(LIST_PATH)]).exit_code == 0
    in_force = current_list()
    assert in_force is not None
    organisation = ngo_organisation(name="Blue Horizon Relief Fund")
    db.session.commit()
    truncated = tmp_path / "consolidated.xml"
    truncated.write_bytes(bad())

    result = runner.invoke(args=["screening", "import", str(truncated)])

    assert result.exit_code == 1
    assert "refused" in result.output
    assert current_list() == in_force
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SanctionsList)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SanctionEntry)) == 4
    assert len(open_hits_of(organisation.id)) == 1
    told = db.session.execute(
        sa.select(Notification).where(Notification.user_id == admin.id)
    ).scalar_one()
    assert told.params == {"reference": "sanctions list import refused"}
    assert (
        db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "screening.list_import_refused")
        )
        .scalar_one()
        .summary.startswith(f"Sanctions list import from {truncated} refused")
    )


def test_the_daily_job_imports_from_the_setting_and_does_nothing_without_it(app, monkeypatch):
    task = app.extensions["celery"].tasks["screening.import_list"]
    monkeypatch.setitem(app.config, "SANCTIONS_LIST_URL", "")
    assert task.apply().get() == 0
    assert current_list() is None

    monkeypatch.setitem(app.config, "SANCTIONS_LIST_URL", str(LIST_PATH))
    ngo_organisation(name="Green Crescent Trading Company")
    assert task.apply().get() == 1
    assert current_list() is not None
