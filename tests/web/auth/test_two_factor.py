"""Two-factor authentication: enrolment, signing in with a code or a recovery code, turning off."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from limits import parse

from app.accounts.models import Role
from app.platform.extensions import db
from tests.factories import PASSWORD, UserFactory, user_with
from tests.web.auth.helpers import audit_events, is_signed_in, submit_code, submit_login

SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
CODES = re.compile(r"<li>([0-9a-f]{8}-[0-9a-f]{8})</li>")


def next_code(secret: str) -> str:
    """The authenticator's next code (accepted for clock drift): the enrolment code is spent."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def enrol(client) -> tuple[str, list[str]]:
    """Set up 2FA as the person would: read the key off the page, type the app's code."""
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert "data:image/svg+xml;base64," in page  # the QR code to scan
    secret = SECRET.search(page).group(1)
    response = client.post("/account/two-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Two-factor authentication is on." in page
    assert "They will not be shown again." in page
    codes = CODES.findall(page)
    return secret, codes


def sign_in_with_password(client, email="grace@example.org", **kwargs):
    response = submit_login(client, email, PASSWORD, **kwargs)
    assert response.status_code == 302
    return response


@pytest.fixture
def grace(client):
    user = UserFactory(email="grace@example.org")
    sign_in_with_password(client)
    return user


def test_enrolment_shows_recovery_codes_once_and_turns_2fa_on(client, grace):
    secret, codes = enrol(client)

    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.refresh(grace)
    assert grace.totp_enabled and grace.totp_secret == secret
    assert is_signed_in(client)  # enrolling does not sign this session out
    security = client.get("/account/security").get_data(as_text=True)
    assert "You have 10 unused recovery codes." in security
    assert not any(code in security for code in codes)
    # The setup page (and with it the codes) cannot be shown again.
    assert client.get("/account/two-factor/setup").headers["Location"] == "/account/security"
    assert [e.subject_id for e in audit_events("user.2fa_enabled")] == [str(grace.id)]


def test_turning_2fa_on_signs_out_other_devices(app, client, grace):
    other_device = app.test_client()
    sign_in_with_password(other_device)

    enrol(client)

    assert is_signed_in(client)
    assert not is_signed_in(other_device)


def test_the_secret_waits_in_the_session_until_confirmed(client, grace):
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    with client.session_transaction() as session:
        secret = session["totp_setup_secret"]
    assert secret in page
    # Reloading the page keeps the same key: the app already scanned need not be redone.
    assert secret in client.get("/account/two-factor/setup").get_data(as_text=True)


def test_a_wrong_enrolment_code_leaves_2fa_off(client, grace):
    client.get("/account/two-factor/setup")

    response = client.post("/account/two-factor/setup", data={"code": "000000"})

    assert "That code is not right. Check your authenticator&#39;s clock and try again." in (
        response.get_data(as_text=True)
    )
    db.session.refresh(grace)
    assert not grace.totp_enabled


def test_once_enrolled_sign_in_asks_for_the_code(client, grace):
    secret, _codes = enrol(client)
    client.post("/logout")

    response = sign_in_with_password(client)

    assert response.headers["Location"].startswith("/login/two-factor")
    assert not is_signed_in(client)
    assert audit_events("user.login") != [] and len(audit_events("user.login")) == 1

    wrong = submit_code(client, "123456")
    assert "That code is not right. Try the current code or a recovery code." in (
        wrong.get_data(as_text=True)
    )
    assert not is_signed_in(client)
    assert "wrong second factor" in audit_events("user.login_failed")[-1].summary

    right = submit_code(client, next_code(secret))
    assert right.status_code == 302 and right.headers["Location"] == "/"
    assert is_signed_in(client)
    assert len(audit_events("user.login")) == 2


def test_the_next_page_survives_the_second_step(client, grace):
    secret, _codes = enrol(client)
    client.post("/logout")

    second_step = sign_in_with_password(client, next="/account/security").headers["Location"]
    response = submit_code(client, next_code(secret), page=second_step)

    assert response.headers["Location"] == "/account/security"


def test_a_recovery_code_signs_in_once_and_only_once(client, grace):
    _secret, codes = enrol(client)
    client.post("/logout")

    sign_in_with_password(client)
    response = submit_code(client, f"  {codes[3].upper()} ")
    assert response.status_code == 302
    assert is_signed_in(client)
    assert "You have 9 unused recovery codes." in client.get("/account/security").get_data(
        as_text=True
    )
    assert len(audit_events("user.recovery_code_used")) == 1
    client.post("/logout")

    sign_in_with_password(client)
    again = submit_code(client, codes[3])

    assert "That code is not right." in again.get_data(as_text=True)
    assert not is_signed_in(client)
    assert submit_code(client, codes[4]).status_code == 302


def test_the_code_step_cannot_be_reached_without_the_password(client):
    response = client.get("/login/two-factor", follow_redirects=True)

    assert response.request.path == "/login"
    assert "Please sign in again." in response.get_data(as_text=True)


def test_a_stale_password_step_must_be_redone(client, grace, monkeypatch):
    from app.accounts.web.auth import routes

    secret, _codes = enrol(client)
    client.post("/logout")
    sign_in_with_password(client)
    real_time = routes.time.time
    monkeypatch.setattr(routes.time, "time", lambda: real_time() + routes.PENDING_2FA_SECONDS + 1)

    response = submit_code(client, next_code(secret), follow_redirects=True)

    assert response.request.path == "/login"
    assert "Please sign in again." in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_wrong_codes_are_throttled(app, client, grace):
    enrol(client)
    client.post("/logout")
    sign_in_with_password(client)
    allowed = parse(app.config["LOGIN_LIMIT_PER_ACCOUNT"]).amount

    for _ in range(allowed):
        assert submit_code(client, "000000").status_code == 200
    response = submit_code(client, "000000")

    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.get_data(as_text=True)


def test_turning_2fa_off_needs_the_password(client, grace):
    enrol(client)

    refused = client.post(
        "/account/two-factor/disable", data={"password": "not-my-password"}, follow_redirects=True
    )
    assert "Your password is not right; two-factor authentication is still on." in (
        refused.get_data(as_text=True)
    )
    db.session.refresh(grace)
    assert grace.totp_enabled

    done = client.post(
        "/account/two-factor/disable", data={"password": PASSWORD}, follow_redirects=True
    )
    assert "Two-factor authentication is off." in done.get_data(as_text=True)
    assert is_signed_in(client)
    db.session.refresh(grace)
    assert not grace.totp_enabled and grace.recovery_codes == []
    client.post("/logout")
    assert sign_in_with_password(client).headers["Location"] == "/"
    assert len(audit_events("user.2fa_disabled")) == 1


def test_new_recovery_codes_need_the_password_and_replace_the_old(client, grace):
    _secret, old_codes = enrol(client)

    refused = client.post(
        "/account/two-factor/recovery-codes",
        data={"regen-password": "not-my-password"},
        follow_redirects=True,
    )
    assert "the recovery codes were not changed" in refused.get_data(as_text=True)

    response = client.post("/account/two-factor/recovery-codes", data={"regen-password": PASSWORD})
    new_codes = CODES.findall(response.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    client.post("/logout")
    sign_in_with_password(client)
    assert submit_code(client, old_codes[0]).status_code == 200
    assert submit_code(client, new_codes[0]).status_code == 302


# --- mandatory 2FA for staff -------------------------------------------------------------


@pytest.fixture
def staff_2fa_required(app, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_2FA_FOR_STAFF", True)


@pytest.mark.usefixtures("staff_2fa_required")
@pytest.mark.parametrize("page", ["/", "/account/", "/account/security", "/account/password"])
def test_staff_without_2fa_are_sent_to_enrolment_from_every_page(client, page):
    user_with(Role.REVIEWER, email="rev@example.org")
    sign_in_with_password(client, "rev@example.org")

    response = client.get(page, follow_redirects=True)

    assert response.request.path == "/account/two-factor/setup"
    assert "Staff accounts must use two-factor authentication." in response.get_data(as_text=True)


@pytest.mark.usefixtures("staff_2fa_required")
def test_staff_without_2fa_reach_only_enrolment_and_sign_out(app, client):
    user_with(Role.ADMIN, email="admin@example.org")
    sign_in_with_password(client, "admin@example.org")

    assert client.get("/admin/users").headers["Location"] == "/account/two-factor/setup"
    assert client.get("/audit/").headers["Location"] == "/account/two-factor/setup"
    assert client.get("/account/two-factor/setup").status_code == 200
    assert client.post("/logout").headers["Location"] == "/"
    assert not is_signed_in(client)


@pytest.mark.usefixtures("staff_2fa_required")
def test_staff_who_enrol_get_in_and_cannot_turn_2fa_off(client):
    staff = user_with(Role.FUND_MANAGER, email="fm@example.org")
    sign_in_with_password(client, "fm@example.org")

    enrol(client)

    assert client.get("/account/").status_code == 200
    security = client.get("/account/security").get_data(as_text=True)
    assert "Two-factor authentication is mandatory for staff accounts." in security
    assert "Turn off two-factor authentication" not in security
    refused = client.post("/account/two-factor/disable", data={"password": PASSWORD})
    assert refused.status_code == 403
    assert "Two-factor authentication is mandatory for staff accounts." in refused.get_data(
        as_text=True
    )
    db.session.refresh(staff)
    assert staff.totp_enabled


@pytest.mark.usefixtures("staff_2fa_required")
def test_donors_and_applicants_are_not_forced_to_enrol(client):
    user_with(Role.DONOR, email="donor@example.org")
    sign_in_with_password(client, "donor@example.org")

    assert client.get("/account/").status_code == 200
