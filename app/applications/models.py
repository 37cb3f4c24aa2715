"""Organisation due diligence, uploaded documents, and grant applications with their sections.

Due diligence lives in a 1:1 ``organisation_profiles`` table next to the shared
``organisations`` row (decision 0011): donors' organisations need none of it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.calls.models import Call
from app.platform.categories import AgeGroup, DocumentKind, Sex
from app.platform.db import Model, Money, TimestampMixin, UTCDateTime, str_enum, utcnow


class DueDiligenceStatus(StrEnum):
    REGISTERED = "registered"
    DOCUMENTS_SUBMITTED = "documents_submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"


class RiskRating(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ApplicationStatus(StrEnum):
    """DESIGN.md §3. This area moves draft/submitted/info_requested/withdrawn; reviews the rest."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCREENING = "screening"
    INELIGIBLE = "ineligible"
    IN_REVIEW = "in_review"
    INFO_REQUESTED = "info_requested"
    RECOMMENDED = "recommended"
    NOT_RECOMMENDED = "not_recommended"
    APPROVED = "approved"
    RESERVE = "reserve"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# The fund's recommendation to the Board is internal until the Board decides: meanwhile the
# organisation sees its application as still in review (the timeline says "reviewed").
_SHOWN_TO_APPLICANT_AS = {
    ApplicationStatus.RECOMMENDED: ApplicationStatus.IN_REVIEW,
    ApplicationStatus.NOT_RECOMMENDED: ApplicationStatus.IN_REVIEW,
}


def status_shown_to_applicant(status: ApplicationStatus) -> ApplicationStatus:
    """The status as the applicant organisation may see it."""
    return _SHOWN_TO_APPLICANT_AS.get(status, status)


# The applicant may change the content only in these states.
EDITABLE_STATUSES = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED})
# "withdrawn from any state before a decision" (screening out and Board outcomes are decisions).
WITHDRAWABLE_STATUSES = frozenset(
    {
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SCREENING,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.INFO_REQUESTED,
        ApplicationStatus.RECOMMENDED,
        ApplicationStatus.NOT_RECOMMENDED,
    }
)


class ConceptStatus(StrEnum):
    """Stage one of a two-stage call (decision 0115): the concept note and the fund's answer."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    INVITED = "invited"
    DECLINED = "declined"


class BudgetCategory(StrEnum):
    PERSONNEL = "personnel"
    DIRECT_ASSISTANCE = "direct_assistance"
    TRAINING_AND_OUTREACH = "training_and_outreach"
    TRAVEL = "travel"
    EQUIPMENT_AND_SUPPLIES = "equipment_and_supplies"
    PREMISES_AND_OPERATIONS = "premises_and_operations"
    MONITORING_AND_AUDIT = "monitoring_and_audit"
    OTHER = "other"


class MessageKind(StrEnum):
    INFORMATION_REQUEST = "information_request"
    REPLY = "reply"
    # A message from the fund that asks nothing of the application's status (sent to one or
    # to many applicants at once, app/applications/services/messages.py).
    NOTICE = "notice"


class OrganisationProfile(TimestampMixin, Model):
    """An NGO's due-diligence file: who it is, where it works, and the fund's verification."""

    __tablename__ = "organisation_profiles"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    legal_name: Mapped[str] = mapped_column(sa.String(300), default="")
    countries_of_operation: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    registration_number: Mapped[str] = mapped_column(sa.String(100), default="")
    registration_date: Mapped[date | None] = mapped_column(sa.Date)
    assistance_since_year: Mapped[int | None] = mapped_column()
    un_partner_portal_id: Mapped[str] = mapped_column(sa.String(40), default="")
    survivor_led: Mapped[bool] = mapped_column(default=False)
    psea_policy: Mapped[bool] = mapped_column(default=False)
    bank_account_holder: Mapped[str] = mapped_column(sa.String(200), default="")
    # The person who heads the organisation (chair, executive director): screened like the
    # organisation's own names.
    director_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # Normalised copies, indexed, so possible duplicates are found by the database.
    registration_number_key: Mapped[str] = mapped_column(sa.String(100), default="", index=True)
    bank_account_holder_key: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    status: Mapped[DueDiligenceStatus] = mapped_column(
        str_enum(DueDiligenceStatus, "due_diligence_status"),
        default=DueDiligenceStatus.REGISTERED,
        index=True,
    )
    risk_rating: Mapped[RiskRating | None] = mapped_column(str_enum(RiskRating, "risk_rating"))
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def id(self) -> int:
        """The organisation's id: audit events about the file are filed under it."""
        return self.organisation_id

    @property
    def is_verified(self) -> bool:
        return self.status == DueDiligenceStatus.VERIFIED


class Document(Model):
    """An uploaded file. The bytes live in private storage under ``storage_key``, never here."""

    __tablename__ = "documents"
    __table_args__ = (sa.CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    # Set for an application's attachments; None for the organisation's due-diligence file.
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    application: Mapped[Application | None] = relationship(back_populates="documents")
    uploaded_by: Mapped[User | None] = relationship()


class Application(TimestampMixin, Model):
    """An organisation's proposal to a call, edited section by section, then submitted."""

    __tablename__ = "applications"
    __table_args__ = (
        sa.CheckConstraint("requested_amount >= 0", name="requested_not_negative"),
        sa.CheckConstraint("psc_amount >= 0", name="psc_not_negative"),
        # The fund's list, newest first, unfiltered or by call or status: each page is an
        # index range scan (keyset pagination on (updated_at, id); decision 0061).
        sa.Index("ix_applications_listing", "updated_at", "id"),
        sa.Index("ix_applications_call_listing", "call_id", "updated_at", "id"),
        sa.Index("ix_applications_status_listing", "status", "updated_at", "id"),
        # The list's other sorts, keyset on (column, id) (app/applications/web/listing.py).
        sa.Index("ix_applications_title_sort", "title", "id"),
        sa.Index("ix_applications_requested_sort", "requested_amount", "id"),
        sa.Index("ix_applications_status_sort", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, "application_status"),
        default=ApplicationStatus.DRAFT,
        index=True,
    )
    # Optimistic locking: every save bumps it, and a save based on an older version is refused.
    version_id: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    # Project summary.
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str | None] = mapped_column(sa.String(5))
    duration_months: Mapped[int | None] = mapped_column()
    # Locations: ISO 3166-1 alpha-2 countries of implementation and the places in words.
    countries: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    locations: Mapped[str] = mapped_column(sa.Text, default="")
    # Focus: codes from app.platform.categories.
    situations: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    forms_of_exploitation: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    assistance_types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    target_groups: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    target_groups_notes: Mapped[str] = mapped_column(sa.Text, default="")
    # Money, kept in step with the budget lines on every budget save.
    currency: Mapped[str] = mapped_column(sa.String(3))
    requested_amount: Mapped[int] = mapped_column(Money(), default=0)
    psc_rate: Mapped[Decimal] = mapped_column(sa.Numeric(6, 4))  # from PSC_RATE when saved
    psc_amount: Mapped[int] = mapped_column(Money(), default=0)

    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    call: Mapped[Call] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="BudgetLine.position",
    )
    activities: Mapped[list[WorkplanActivity]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="WorkplanActivity.position",
    )
    beneficiaries: Mapped[list[PlannedBeneficiary]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="application", order_by="Document.id"
    )
    messages: Mapped[list[ApplicationMessage]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="ApplicationMessage.id",
    )
    # Stage one of a two-stage call; None for a single-stage call's application.
    concept_note: Mapped[ConceptNote | None] = relationship(
        back_populates="application", cascade="all, delete-orphan", uselist=False
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def reference(self) -> str:
        return f"APP-{self.id:05d}"

    @property
    def is_editable(self) -> bool:
        """The full proposal's content; in a two-stage call only once the fund invited it."""
        return self.status in EDITABLE_STATUSES and not self.awaits_invitation

    @property
    def awaits_invitation(self) -> bool:
        """A two-stage call's application the fund has not (or not yet) invited to stage two."""
        if not self.call.is_two_stage:
            return False
        return self.concept_note is None or self.concept_note.status != ConceptStatus.INVITED

    @property
    def concept_status(self) -> ConceptStatus | None:
        """The concept note's state, moved by CONCEPT_WORKFLOW (audited under the application)."""
        return None if self.concept_note is None else self.concept_note.status

    @concept_status.setter
    def concept_status(self, value: ConceptStatus) -> None:
        assert self.concept_note is not None
        self.concept_note.status = value

    @property
    def total_with_psc(self) -> int:
        return self.requested_amount + self.psc_amount

    def planned(self, sex: Sex, age: AgeGroup) -> int:
        for row in self.beneficiaries:
            if row.sex == sex and row.age_group == age:
                return row.count
        return 0

    @property
    def planned_total(self) -> int:
        return sum(row.count for row in self.beneficiaries)

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.status}>"


class PlannedBeneficiary(Model):
    """How many people the project plans to assist, by sex x age: counts only, never people."""

    __tablename__ = "planned_beneficiaries"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "sex", "age_group"),
        sa.CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    sex: Mapped[Sex] = mapped_column(str_enum(Sex, "sex"))
    age_group: Mapped[AgeGroup] = mapped_column(str_enum(AgeGroup, "age_group"))
    count: Mapped[int] = mapped_column()

    application: Mapped[Application] = relationship(back_populates="beneficiaries")


class WorkplanActivity(Model):
    """One activity of the workplan, running from one project month to another."""

    __tablename__ = "workplan_activities"
    __table_args__ = (
        sa.CheckConstraint("start_month >= 1", name="starts_in_first_month_or_later"),
        sa.CheckConstraint("end_month >= start_month", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(sa.Text)
    start_month: Mapped[int] = mapped_column()
    end_month: Mapped[int] = mapped_column()

    application: Mapped[Application] = relationship(back_populates="activities")

    def runs_in(self, month: int) -> bool:
        return self.start_month <= month <= self.end_month


class BudgetLine(Model):
    __tablename__ = "budget_lines"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    category: Mapped[BudgetCategory] = mapped_column(str_enum(BudgetCategory, "budget_category"))
    description: Mapped[str] = mapped_column(sa.String(300))
    quantity: Mapped[int] = mapped_column()
    unit_cost: Mapped[int] = mapped_column(Money())

    application: Mapped[Application] = relationship(back_populates="budget_lines")

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_cost


class ApplicationMessage(Model):
    """The thread on an application: the fund's requests for information and the NGO's replies."""

    __tablename__ = "application_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, "message_kind"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[Application] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class ConceptNote(TimestampMixin, Model):
    """Stage one of a two-stage call: a short concept note, screened by the fund, which invites
    a full proposal or declines with a reason (decision 0115). One per application."""

    __tablename__ = "concept_notes"
    __table_args__ = (
        sa.CheckConstraint("indicative_amount >= 0", name="indicative_not_negative"),
        # The staff list of a call's concept notes, by submission (keyset on (column, id)).
        sa.Index("ix_concept_notes_listing", "status", "submitted_at", "application_id"),
    )

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[ConceptStatus] = mapped_column(
        str_enum(ConceptStatus, "concept_status"), default=ConceptStatus.DRAFT
    )
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    # The idea in a few hundred words: the need, what the organisation will do, for whom.
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    countries: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    forms_of_exploitation: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # Minor units of the application's currency: an order of size, not a budget.
    indicative_amount: Mapped[int] = mapped_column(Money(), default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)

    application: Mapped[Application] = relationship(back_populates="concept_note")

    @property
    def id(self) -> int:
        """The application's id: the note is filed under its application."""
        return self.application_id

    @property
    def is_editable(self) -> bool:
        return self.status == ConceptStatus.DRAFT
