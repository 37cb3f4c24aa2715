"""An NGO's owner adds colleagues to the organisation."""

from __future__ import annotations

from app.accounts import services as accounts
from app.accounts.models import Organisation, Role, User, UserRole
from app.accounts.permissions import can_invite_colleague
from app.audit.services import record_event
from app.platform.errors import N_, PermissionDenied, ValidationFailed
from app.platform.extensions import db


def invite_colleague(
    *, actor: User, organisation: Organisation, email: str, full_name: str
) -> tuple[User, bool]:
    """An owner adds a colleague; returns (the user, whether a new account was opened).

    A new account has no password yet: the caller e-mails a link to choose one.
    """
    if not can_invite_colleague(actor, organisation):
        raise PermissionDenied(N_("Only an owner of the organisation can add colleagues."))
    email = accounts.normalise_email(email)
    user = accounts.find_user_by_email(email)
    created = False
    if user is None:
        if not full_name.strip():
            raise ValidationFailed(N_("Give your colleague's name."))
        user = User(email=email, full_name=full_name.strip(), password_hash=None, is_active=True)
        user.role_grants.append(UserRole(role=Role.APPLICANT, granted_by_id=actor.id))
        db.session.add(user)
        db.session.flush()
        record_event(actor=actor, action="user.invited", subject=user, summary=f"invited {email}")
        created = True
    elif user.is_staff:
        # A member of the fund's staff inside an applicant would sit on both sides.
        raise PermissionDenied(N_("This person works for the fund and cannot join an applicant."))
    elif not user.has_role(Role.APPLICANT):
        user.role_grants.append(UserRole(role=Role.APPLICANT, granted_by_id=actor.id))
    accounts.add_member(actor=actor, organisation=organisation, user=user)
    return user, created
