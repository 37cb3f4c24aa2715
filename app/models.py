"""Imports every area's models so SQLAlchemy and Alembic see the whole schema."""

from app.accounts.models import (  # noqa: F401
    Membership,
    Organisation,
    RecoveryCode,
    User,
    UserRole,
)
from app.applications.models import (  # noqa: F401
    Application,
    ApplicationMessage,
    BudgetLine,
    Document,
    OrganisationProfile,
    PlannedBeneficiary,
    WorkplanActivity,
)
from app.audit.models import AuditEvent  # noqa: F401
from app.bankfiles.models import (  # noqa: F401
    BankStatement,
    PaymentBatch,
    PaymentBatchItem,
    StatementEntry,
)
from app.calls.models import Call, RubricCriterion  # noqa: F401
from app.copies.models import CopyFlag, TextBand, TextSignature  # noqa: F401
from app.donations.models import (  # noqa: F401
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
from app.funding.models import Restriction  # noqa: F401
from app.grants.models import (  # noqa: F401
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
from app.jobs.models import Job  # noqa: F401
from app.ledger.models import Account, Checkpoint, Transfer  # noqa: F401
from app.lists.models import SavedView  # noqa: F401
from app.monitoring.models import (  # noqa: F401
    MonitoringActivity,
    MonitoringFinding,
    MonitoringRecommendation,
    PartnerRating,
)
from app.notes.models import InternalNote  # noqa: F401
from app.notifications.models import Notification  # noqa: F401
from app.oauth.models import OAuthClient  # noqa: F401
from app.organisations.models import BankAccount  # noqa: F401
from app.outbox.models import OutboxMessage  # noqa: F401
from app.platform.submissions import FormSubmission  # noqa: F401
from app.questions.models import CallQuestion, QuestionAnswer  # noqa: F401
from app.reporting.models import PublishedFile  # noqa: F401
from app.results.models import (  # noqa: F401
    ResultActual,
    ResultIndicator,
    ResultOutcome,
    ResultOutput,
    ResultTarget,
    StandardIndicator,
)
from app.reviews.models import (  # noqa: F401
    BoardDecision,
    BoardMeeting,
    BoardVote,
    PanelRecommendation,
    Review,
    ReviewAssignment,
    ReviewScore,
    Screening,
)
from app.screening.models import SanctionEntry, SanctionsList, ScreeningHit  # noqa: F401
from app.texts.models import TextVersion  # noqa: F401
from app.webhooks.models import WebhookDelivery, WebhookEndpoint  # noqa: F401
