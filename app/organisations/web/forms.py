"""Organisation forms: the due-diligence file, documents, colleagues, and the fund's decision."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from app.accounts.models import Organisation
from app.accounts.web.auth.forms import strip_whitespace
from app.applications.models import OrganisationProfile, RiskRating
from app.applications.services import DueDiligenceDetails
from app.platform.categories import ORGANISATION_DOCUMENT_KINDS, DocumentKind
from app.web.countries import CountriesField
from app.web.display import country_choices
from app.web.forms import WholeNumberField
from app.web.labels import choices


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name of the organisation"), validators=[DataRequired(), Length(max=300)])
    legal_name = StringField(
        _l("Legal name (as registered)"),
        validators=[Optional(), Length(max=300)],
        description=_l("Leave empty if it is the same as the name."),
    )
    director_name = StringField(
        _l("Name of the director"),
        validators=[Optional(), Length(max=200)],
        description=_l(
            "The person who heads the organisation (chair or executive director). The fund "
            "checks it, like the organisation's name, against the UN sanctions list."
        ),
    )
    country = SelectField(_l("Country of registration"), validators=[DataRequired()])
    contact_email = EmailField(
        _l("Contact e-mail"),
        filters=[strip_whitespace],
        validators=[Optional(), Email(), Length(max=254)],
    )
    countries_of_operation = CountriesField(
        _l("Countries where you work"),
    )
    registration_number = StringField(
        _l("Registration number"), validators=[Optional(), Length(max=100)]
    )
    registration_date = DateField(_l("Date of registration"), validators=[Optional()])
    assistance_since_year = WholeNumberField(
        _l("Year you began assisting victims directly"),
        validators=[Optional()],
        minimum=1900,
        maximum=2100,
    )
    un_partner_portal_id = StringField(
        _l("UN Partner Portal ID"),
        validators=[Optional(), Length(max=40)],
        # Fresh eyes (issue 19): an NGO new to the UN did not know what this was or where to
        # find it; the fund needs it to verify the organisation.
        description=_l(
            "The identifier the UN Partner Portal (www.unpartnerportal.org) gave your "
            "organisation when it registered there; it is shown on your organisation's profile "
            "in the portal. The fund needs it to verify your organisation: if you are not "
            "registered there yet, register first, then come back and add it."
        ),
    )
    survivor_led = BooleanField(_l("The organisation is led by survivors of trafficking"))
    psea_policy = BooleanField(
        _l("We have a policy on protection from sexual exploitation and abuse (PSEA)")
    )
    bank_account_holder = StringField(
        _l("Name of the bank account holder"),
        validators=[Optional(), Length(max=200)],
        description=_l("Grants are paid only into an account in the organisation's name."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = country_choices()
        self.country.choices = [("", _l("Choose a country")), *countries]
        self.countries_of_operation.choices = countries

    def fill_from(self, organisation: Organisation, profile: OrganisationProfile) -> None:
        self.name.data = organisation.name
        self.country.data = organisation.country
        self.contact_email.data = organisation.contact_email
        for attr in (
            "legal_name",
            "countries_of_operation",
            "registration_number",
            "registration_date",
            "assistance_since_year",
            "un_partner_portal_id",
            "survivor_led",
            "psea_policy",
            "bank_account_holder",
            "director_name",
        ):
            getattr(self, attr).data = getattr(profile, attr)

    def details(self) -> DueDiligenceDetails:
        return DueDiligenceDetails(
            name=self.name.data or "",
            country=self.country.data or "",
            contact_email=self.contact_email.data or "",
            legal_name=(self.legal_name.data or self.name.data or ""),
            countries_of_operation=self.countries_of_operation.data or [],
            registration_number=self.registration_number.data or "",
            registration_date=self.registration_date.data,
            assistance_since_year=self.assistance_since_year.data,
            un_partner_portal_id=self.un_partner_portal_id.data or "",
            survivor_led=bool(self.survivor_led.data),
            psea_policy=bool(self.psea_policy.data),
            bank_account_holder=self.bank_account_holder.data or "",
            director_name=self.director_name.data or "",
        )


class UploadForm(FlaskForm):
    kind = SelectField(_l("Kind of document"))
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose a file to upload."))],
        description=_l("PDF, Word (.docx), Excel (.xlsx), PNG or JPEG."),
    )

    def __init__(self, *args: Any, kinds: frozenset[DocumentKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [
            (value, text) for value, text in choices(DocumentKind) if value in kinds
        ]


def organisation_upload_form(**kwargs: Any) -> UploadForm:
    return UploadForm(kinds=ORGANISATION_DOCUMENT_KINDS, **kwargs)


class InviteColleagueForm(FlaskForm):
    full_name = StringField(_l("Colleague's name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("Colleague's e-mail"),
        filters=[strip_whitespace],
        validators=[DataRequired(), Email(), Length(max=254)],
    )


class VerifyForm(FlaskForm):
    risk_rating = RadioField(
        _l("Risk rating"), choices=choices(RiskRating), validators=[DataRequired()]
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (the organisation sees it)"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 3},
    )
