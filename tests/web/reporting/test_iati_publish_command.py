"""`flask iati publish`, and the publication tick of the loop `make run` runs
(`flask outbox send --loop`)."""

from __future__ import annotations

from app.outbox import cli as outbox_cli
from app.reporting.publication import ACTIVITIES, ORGANISATION, published
from tests.grants_support import USD, fund


def test_the_command_publishes_what_changed_and_forced_everything(app):
    runner = app.test_cli_runner()
    assert (
        "Published: iati-activities, iati-organisation."
        in runner.invoke(args=["iati", "publish"]).output
    )
    assert "Nothing changed" in runner.invoke(args=["iati", "publish"]).output
    fund(1_000 * USD)
    assert "Published: iati-activities" in runner.invoke(args=["iati", "publish"]).output
    assert "Published: iati-activities" in runner.invoke(args=["iati", "publish", "--force"]).output


class Stop(Exception):
    pass


def test_the_outbox_loop_publishes_the_iati_files(app, monkeypatch):
    def stop(_seconds: float) -> None:
        raise Stop

    monkeypatch.setattr(outbox_cli.time, "sleep", stop)
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--loop", "2"])
    assert isinstance(result.exception, Stop)
    assert "IATI files published: iati-activities, iati-organisation." in result.output
    assert published(ACTIVITIES) is not None and published(ORGANISATION) is not None


def test_a_changed_call_text_or_grant_is_published_at_the_next_tick(app):
    from app.platform.extensions import db
    from app.reporting.publication import publish
    from app.reporting.web.iati import publisher
    from tests.reporting_support import build_scenario

    grant = build_scenario().grant
    assert publish(publisher()) == [ACTIVITIES, ORGANISATION]
    call = grant.application.call
    call.description = {**call.description, "fr": "Appel à propositions."}
    db.session.flush()
    assert publish(publisher()) == [ACTIVITIES, ORGANISATION]
    assert "Appel à propositions." in published(ACTIVITIES).content.decode()
    grant.title = "Shelter, renamed"
    db.session.flush()
    assert publish(publisher()) == [ACTIVITIES, ORGANISATION]
    assert publish(publisher()) == []
