"""Imports every area's models so SQLAlchemy and Alembic see the whole schema."""

from app.domain.accounts.models import (  # noqa: F401
    Membership,
    Organisation,
    RecoveryCode,
    User,
    UserRole,
)
from app.domain.applications.models import (  # noqa: F401
    Application,
    ApplicationMessage,
    BudgetLine,
    Document,
    OrganisationProfile,
    PlannedBeneficiary,
    WorkplanActivity,
)
from app.domain.audit.models import AuditEvent  # noqa: F401
from app.domain.calls.models import Call, RubricCriterion  # noqa: F401
from app.domain.donations.models import (  # noqa: F401
    BankReceipt,
    BankReceiptAllocation,
    DonationReceipt,
    Donor,
    ExchangeRate,
    Gift,
    GiftDispute,
    GiftRefund,
    GiftSubscription,
    Pledge,
    PledgeInstalment,
    ReceiptSequence,
    StripeEvent,
)
from app.domain.grants.models import (  # noqa: F401
    Amendment,
    Grant,
    GrantBudgetLine,
    GrantRefund,
    GrantReport,
    GrantSequence,
    ReportAttachment,
    ReportExpenditure,
    ReportFigure,
    Tranche,
)
from app.domain.ledger.models import Account, Checkpoint, Transfer  # noqa: F401
from app.domain.notifications.models import Notification  # noqa: F401
from app.domain.outbox.models import OutboxMessage  # noqa: F401
from app.domain.reviews.models import (  # noqa: F401
    BoardDecision,
    BoardMeeting,
    BoardVote,
    PanelRecommendation,
    Review,
    ReviewAssignment,
    ReviewScore,
    Screening,
)
from app.domain.submissions import FormSubmission  # noqa: F401
