"""Bank details pages: the organisation's section, the form to propose a change, and the fund's
confirm or reject (each decided again by app/organisations/services/bank_accounts.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.accounts.models import Organisation
from app.accounts.permissions import (
    Permission,
    can_manage_organisation,
    can_verify_organisation,
    can_view_organisation,
    has_permission,
)
from app.organisations.models import BankAccount
from app.organisations.services import bank_accounts as bank
from app.organisations.services import destinations as payees
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.web.access import login_required, requires
from app.web.display import country_choices
from app.web.lookup import visible_or_404


class BankAccountForm(FlaskForm):
    holder_name = StringField(
        _l("Account holder"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Exactly as the bank has it: grants are paid only to the organisation."),
    )
    country = SelectField(_l("Country of the bank"), validators=[DataRequired()])
    iban = StringField(
        _l("IBAN"),
        validators=[Optional(), Length(max=50)],
        description=_l("Leave empty where the country does not use IBANs."),
    )
    account_number = StringField(
        _l("Account number"),
        validators=[Optional(), Length(max=50)],
        description=_l("Only where the country does not use IBANs."),
    )
    bic = StringField(_l("SWIFT/BIC code"), validators=[DataRequired(), Length(max=15)])
    bank_name = StringField(_l("Name of the bank"), validators=[DataRequired(), Length(max=200)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose a country")), *country_choices()]

    def details(self) -> bank.BankDetails:
        return bank.BankDetails(
            holder_name=self.holder_name.data or "",
            iban=self.iban.data or "",
            account_number=self.account_number.data or "",
            bic=self.bic.data or "",
            bank_name=self.bank_name.data or "",
            country=self.country.data or "",
        )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid:
            # The rules' own checks (schwifty), each said next to its field.
            for name, problem in bank.bank_details_problems(self.details()).items():
                getattr(self, name).errors.append(problem.translated(_))
                valid = False
        return valid


class BankRejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (the organisation sees it)"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 2},
    )


def _may_propose(actor: Any, organisation: Organisation) -> bool:
    return can_manage_organisation(actor, organisation) or can_verify_organisation(
        actor, organisation
    )


def bank_section(organisation: Organisation) -> dict[str, Any]:
    """What the organisation page's "Bank account" section shows this visitor."""
    may_decide = can_verify_organisation(current_user, organisation)
    staff = may_decide or has_permission(current_user, Permission.VIEW_ALL_APPLICATIONS)
    return {
        "bank": payees.destination(organisation.id),
        "bank_history": bank.bank_account_history(organisation.id) if staff else [],
        "can_propose_bank": _may_propose(current_user, organisation),
        "can_decide_bank": may_decide,
        "mask_account": bank.mask_account,
    }


@login_required
def propose_bank_account(organisation_id: int) -> Any:
    organisation = visible_or_404(Organisation, organisation_id, can_view_organisation)
    if not _may_propose(current_user, organisation):
        abort(403)
    form = BankAccountForm()
    if form.validate_on_submit():
        try:
            bank.propose_bank_account(
                actor=current_user, organisation=organisation, details=form.details()
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(
                _(
                    "The new bank details are recorded. A second person of the fund must "
                    "confirm them; payments wait until then."
                ),
                "success",
            )
            return redirect(
                url_for("organisations.show", organisation_id=organisation.id) + "#bank-account"
            )
    return render_template(
        "organisations/bank_account.html",
        form=form,
        organisation=organisation,
        pending=bank.pending_bank_account(organisation.id),
    ), (422 if form.errors or form.form_errors else 200)


def _proposal_or_404(account_id: int) -> BankAccount:
    account = db.session.get(BankAccount, account_id)
    if account is None or not can_view_organisation(current_user, account.organisation):
        abort(404)
    return account


@requires(Permission.VERIFY_ORGANISATION)
def confirm_bank_account(account_id: int) -> Any:
    account = _proposal_or_404(account_id)
    bank.confirm_bank_account(actor=current_user, account=account)
    db.session.commit()
    flash(
        _(
            "Bank details %(account)s confirmed. Payments to %(name)s are held until %(date)s.",
            account=bank.mask_account(account),
            name=account.organisation.name,
            date=account.active_from.date().isoformat() if account.active_from else "",
        ),
        "success",
    )
    return redirect(
        url_for("organisations.show", organisation_id=account.organisation_id) + "#bank-account"
    )


@requires(Permission.VERIFY_ORGANISATION)
def reject_bank_account(account_id: int) -> Any:
    account = _proposal_or_404(account_id)
    form = BankRejectForm()
    if not form.validate_on_submit():
        flash(_("Say why, so the organisation knows what to correct."), "danger")
    else:
        bank.reject_bank_account(actor=current_user, account=account, reason=form.reason.data or "")
        db.session.commit()
        flash(_("The proposed bank details are rejected."), "warning")
    return redirect(
        url_for("organisations.show", organisation_id=account.organisation_id) + "#bank-account"
    )


@requires(Permission.VERIFY_ORGANISATION)
def bank_changes() -> Any:
    """The fund's queue: every change of bank details waiting for a second person."""
    changes = bank.pending_bank_changes()
    return render_template(
        "organisations/bank_changes.html",
        changes=changes,
        destinations=payees.destinations({change.organisation_id for change in changes}),
        mask_account=bank.mask_account,
    )


def register(bp: Blueprint) -> None:
    """Add these pages to the organisations blueprint (endpoints ``organisations.*``)."""
    bp.add_url_rule(
        "/<int:organisation_id>/bank-account",
        view_func=propose_bank_account,
        methods=["GET", "POST"],
    )
    bp.add_url_rule("/bank-changes", view_func=bank_changes)
    bp.add_url_rule(
        "/bank-accounts/<int:account_id>/confirm", view_func=confirm_bank_account, methods=["POST"]
    )
    bp.add_url_rule(
        "/bank-accounts/<int:account_id>/reject", view_func=reject_bank_account, methods=["POST"]
    )
