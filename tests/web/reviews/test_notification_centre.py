"""The notification centre: the unread count in the navbar, following a link, marking read."""

from __future__ import annotations

from app.accounts.models import Role
from app.notifications import services as notices
from app.notifications.models import NotificationKind
from app.notifications.web.badge import remember_unread_count, unread_count_for_badge
from app.platform.extensions import db
from tests.factories import user_with


def test_unread_count_follow_and_mark_all(client, sign_in):
    user = user_with(Role.REVIEWER)
    first = notices.notify(
        user=user,
        kind=NotificationKind.REVIEW_ASSIGNED,
        link="/reviews/mine",
        params={"reference": "APP-00042", "due_on": "2026-12-01"},
    )
    notices.notify(user=user, kind=NotificationKind.ATTENTION_NEEDED, link="/reviews/mine")
    db.session.flush()
    sign_in(user)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "You are asked to review application APP-00042 by 2026-12-01" in page
    assert '2<span class="visually-hidden"> unread' in page
    followed = client.get(f"/notifications/{first.id}")
    assert followed.status_code == 302 and followed.location.endswith("/reviews/mine")
    assert notices.unread_count(user) == 1
    assert '1<span class="visually-hidden"> unread' in client.get("/notifications/").get_data(
        as_text=True
    )
    client.post("/notifications/read-all")
    assert notices.unread_count(user) == 0


def test_someone_elses_notification_is_not_found(client, sign_in):
    owner = user_with(Role.REVIEWER)
    notice = notices.notify(user=owner, kind=NotificationKind.ATTENTION_NEEDED, link="/")
    db.session.flush()
    sign_in(user_with(Role.REVIEWER))
    assert client.get(f"/notifications/{notice.id}").status_code == 404
    assert notices.unread_count(owner) == 1


def test_a_commit_during_the_request_makes_the_badge_count_again(app):
    """The loader reads the count with the user; a notice sent or read later in the same
    request must not leave the badge showing the earlier count."""
    user = user_with(Role.REVIEWER)
    db.session.flush()
    with app.test_request_context():
        remember_unread_count(0)
        notices.notify(user=user, kind=NotificationKind.ATTENTION_NEEDED, link="/", email=False)
        assert unread_count_for_badge(user) == 0  # as the request began
        db.session.commit()
        assert unread_count_for_badge(user) == 1
