"""baseline: the whole schema in one migration

Every table, index and constraint of the models, the database rules the application relies on
even when it is bypassed (append-only tables, roles kept apart), the PostgreSQL-only ledger
sequence, refusal function and fillfactor, and the fund's fixed chart of accounts. It replaces
the migrations written while the schema took shape; there was no production data to carry.

Self-contained on purpose: a migration is history and must not change when the application
does, so nothing here imports app/. The SQL and constants below are copies of what the code
had when this was written (named at each one); a later change to the code needs a new
migration, never an edit of this one.

Revision ID: 6cdeaf072da7
Revises:
Create Date: 2026-12-06 22:50:00.000000

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from flask import current_app


# revision identifiers, used by Alembic.
revision = '6cdeaf072da7'
down_revision = None
branch_labels = None
depends_on = None

# Tables whose rows are never changed or deleted: history is corrected by new rows (audit log,
# ledger transfers and their seals, Board decisions and votes). The database refuses UPDATE and
# DELETE even when the application is bypassed. The models mark these tables APPEND_ONLY
# (app/platform/db.py); a new one needs a migration that gives it these triggers.
APPEND_ONLY_TABLES = (
    'audit_events',
    'ledger_transfers',
    'ledger_checkpoints',
    'board_decisions',
    'board_votes',
)


def append_only_sql(dialect, table):
    """(create, drop) statements of the triggers that make ``table`` append-only."""
    if dialect == 'postgresql':
        return (
            [
                "CREATE OR REPLACE FUNCTION reject_append_only_change() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% is append-only: % refused', "
                "TG_TABLE_NAME, TG_OP USING ERRCODE = 'integrity_constraint_violation'; END $$",
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION reject_append_only_change()",
            ],
            [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"],
        )
    return (
        [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
        ],
        [
            f"DROP TRIGGER IF EXISTS {table}_no_update",
            f"DROP TRIGGER IF EXISTS {table}_no_delete",
        ],
    )


# One person never holds both roles of a pair (segregation of duties, decision 0002): the pair
# of app/accounts/permissions.py INCOMPATIBLE_ROLES when this was written. A new pair there
# needs a new migration.
ROLE_PAIR = "('admin', 'finance')"
ROLE_PAIR_MESSAGE = "one person cannot hold both the admin and finance roles"

ROLES_KEPT_APART_POSTGRESQL = [
    f"""
    CREATE FUNCTION reject_incompatible_roles() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.role IN {ROLE_PAIR} THEN
            -- Two transactions giving one person each half of the pair at once: the second
            -- waits here for the first, then sees its row.
            PERFORM 1 FROM users WHERE id = NEW.user_id FOR UPDATE;
            IF EXISTS (
                SELECT 1 FROM user_roles
                WHERE user_id = NEW.user_id AND role IN {ROLE_PAIR} AND role <> NEW.role
            ) THEN
                RAISE EXCEPTION '{ROLE_PAIR_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
        END IF;
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER user_roles_kept_apart BEFORE INSERT OR UPDATE ON user_roles "
    "FOR EACH ROW EXECUTE FUNCTION reject_incompatible_roles()",
]

ROLES_KEPT_APART_SQLITE = [
    f"""
    CREATE TRIGGER user_roles_kept_apart_{event.lower()} BEFORE {event} ON user_roles
    WHEN NEW.role IN {ROLE_PAIR} AND EXISTS (
        SELECT 1 FROM user_roles
        WHERE user_id = NEW.user_id AND role IN {ROLE_PAIR} AND role <> NEW.role
    )
    BEGIN SELECT RAISE(ABORT, '{ROLE_PAIR_MESSAGE}'); END
    """
    for event in ("INSERT", "UPDATE")
]

# Ledger transfers are numbered from this sequence under the account locks (PostgreSQL; on
# SQLite the single writer numbers them).
TRANSFER_SEQUENCE = 'ledger_transfers_sequence_seq'

# A posting statement that commits in the same round trip calls ledger_refuse() to abort its
# transaction when the batch was refused. SQLSTATE LR001: the caller recognises it, reads the
# locked totals from DETAIL and names the refusal; the error makes the pipelined COMMIT that
# follows a no-op (PostgreSQL only).
LEDGER_REFUSE_FUNCTION = """
        CREATE FUNCTION ledger_refuse(detail json) RETURNS boolean
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            RAISE EXCEPTION 'ledger posting refused' USING ERRCODE = 'LR001', DETAIL = detail::text;
        END
        $$
        """

# The fund's fixed chart of accounts; donor and grant accounts are created on
# demand. A copy of app/ledger/chart.py FIXED_ACCOUNTS when this was written:
# key, code, name, type, debits_must_not_exceed_credits.
CHART = [
    ("cash:stripe", 1110, "Cash held at the card processor", "asset", False),
    ("cash:bank", 1120, "Bank account", "asset", False),
    ("fund:available", 3100, "Fund balance available for grants", "net_assets", True),
    ("fund:pledged", 3200, "Pledged contributions not yet received", "net_assets", True),
    ("psc:income", 4100, "Programme support cost income", "revenue", False),
]


def insert_chart_of_accounts():
    try:
        currency = current_app.config["FUNCTIONAL_CURRENCY"]
    except (RuntimeError, KeyError):
        currency = "USD"
    accounts = sa.table(
        "ledger_accounts",
        sa.column("key", sa.String),
        sa.column("code", sa.Integer),
        sa.column("name", sa.String),
        sa.column("type", sa.String),
        sa.column("currency", sa.String),
        sa.column("debits_pending", sa.BigInteger),
        sa.column("debits_posted", sa.BigInteger),
        sa.column("credits_pending", sa.BigInteger),
        sa.column("credits_posted", sa.BigInteger),
        sa.column("debits_must_not_exceed_credits", sa.Boolean),
        sa.column("credits_must_not_exceed_debits", sa.Boolean),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        accounts,
        [
            {
                "key": key,
                "code": code,
                "name": name,
                "type": type_,
                "currency": currency,
                "debits_pending": 0,
                "debits_posted": 0,
                "credits_pending": 0,
                "credits_posted": 0,
                "debits_must_not_exceed_credits": limited,
                "credits_must_not_exceed_debits": False,
                "created_at": now,
            }
            for key, code, name, type_, limited in CHART
        ],
    )


def upgrade():
    dialect = op.get_bind().dialect.name
    # SQLite databases made before this baseline carry a default of '' on the gifts' donor_name
    # (SQLite adds a NOT NULL column only with one); kept there so they match this schema. The
    # application always writes the name.
    donor_name_default = sa.text("''") if dialect == 'sqlite' else None

    op.create_table('audit_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('subject_type', sa.String(length=60), nullable=True),
    sa.Column('subject_id', sa.String(length=60), nullable=True),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index('ix_audit_events_subject', ['subject_type', 'subject_id'], unique=False)

    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('ngo', 'member_state', 'government', 'intergovernmental', 'company', 'foundation', 'individual', name='organisation_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_name'), ['name'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('totp_last_step', sa.BigInteger(), nullable=True),
    sa.Column('session_version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_email'), ['email'], unique=True)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('owner', 'member', name='membership_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_memberships_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('organisation_id', 'user_id', name=op.f('uq_memberships_organisation_id'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=255), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    op.create_table('user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('donor', 'applicant', 'reviewer', 'board', 'fund_manager', 'finance', 'auditor', 'admin', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_user_roles_granted_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_roles'))
    )

    op.create_table('ledger_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('code', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.Enum('asset', 'liability', 'net_assets', 'revenue', 'expense', name='ledger_account_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('owner_type', sa.String(length=40), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('debits_pending', sa.BigInteger(), nullable=False),
    sa.Column('debits_posted', sa.BigInteger(), nullable=False),
    sa.Column('credits_pending', sa.BigInteger(), nullable=False),
    sa.Column('credits_posted', sa.BigInteger(), nullable=False),
    sa.Column('debits_must_not_exceed_credits', sa.Boolean(), nullable=False),
    sa.Column('credits_must_not_exceed_debits', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits)', name=op.f('ck_ledger_accounts_one_limit_flag')),
    sa.CheckConstraint('NOT credits_must_not_exceed_debits OR credits_pending + credits_posted <= debits_posted', name=op.f('ck_ledger_accounts_credits_within_debits')),
    sa.CheckConstraint('NOT debits_must_not_exceed_credits OR debits_pending + debits_posted <= credits_posted', name=op.f('ck_ledger_accounts_debits_within_credits')),
    sa.CheckConstraint('debits_pending >= 0 AND debits_posted >= 0 AND credits_pending >= 0 AND credits_posted >= 0', name=op.f('ck_ledger_accounts_totals_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('key', name=op.f('uq_ledger_accounts_key'))
    )
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_accounts_code'), ['code'], unique=False)
        batch_op.create_index('ix_ledger_accounts_owner', ['owner_type', 'owner_id'], unique=False)

    op.create_table('ledger_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_sequence', sa.BigInteger(), nullable=False),
    sa.Column('last_sequence', sa.BigInteger(), nullable=False),
    sa.Column('transfer_count', sa.Integer(), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sealed_by_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_checkpoints')),
    sa.UniqueConstraint('last_sequence', name=op.f('uq_ledger_checkpoints_last_sequence'))
    )
    op.create_table('ledger_transfers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('sequence', sa.BigInteger(), nullable=False),
    sa.Column('debit_account_id', sa.Integer(), nullable=False),
    sa.Column('credit_account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.Enum('GIFT', 'FEE', 'PLEDGE', 'PLEDGE_PAYMENT', 'PLEDGE_WRITE_OFF', 'COMMITMENT', 'DISBURSEMENT', 'PSC', 'RELEASE', 'REFUND', 'CHARGEBACK', 'PAYOUT', 'REVERSAL', 'ADJUSTMENT', name='ledger_transfer_code', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('kind', sa.Enum('single', 'pending', 'post_pending', 'void_pending', name='ledger_transfer_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('pending_id', sa.Uuid(), nullable=True),
    sa.Column('batch_id', sa.Uuid(), nullable=True),
    sa.Column('document_type', sa.String(length=40), nullable=True),
    sa.Column('document_id', sa.String(length=60), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('memo', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind IN ('single', 'pending') AND pending_id IS NULL) OR (kind IN ('post_pending', 'void_pending') AND pending_id IS NOT NULL)", name=op.f('ck_ledger_transfers_pending_id_matches_kind')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_ledger_transfers_amount_positive')),
    sa.CheckConstraint('debit_account_id <> credit_account_id', name=op.f('ck_ledger_transfers_accounts_differ')),
    sa.ForeignKeyConstraint(['credit_account_id'], ['ledger_accounts.id'], name=op.f('fk_ledger_transfers_credit_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['debit_account_id'], ['ledger_accounts.id'], name=op.f('fk_ledger_transfers_debit_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['pending_id'], ['ledger_transfers.id'], name=op.f('fk_ledger_transfers_pending_id_ledger_transfers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_transfers')),
    sa.UniqueConstraint('pending_id', name=op.f('uq_ledger_transfers_pending_id')),
    sa.UniqueConstraint('sequence', name=op.f('uq_ledger_transfers_sequence'))
    )
    with op.batch_alter_table('ledger_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_transfers_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_transfers_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_ledger_transfers_credit_account', ['credit_account_id', 'sequence'], unique=False)
        batch_op.create_index('ix_ledger_transfers_debit_account', ['debit_account_id', 'sequence'], unique=False)
        batch_op.create_index('ix_ledger_transfers_document', ['document_type', 'document_id'], unique=False)

    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('window', sa.Enum('emergency', 'medium_term', name='window_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'closed', 'decided', name='call_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('envelope', sa.BigInteger(), nullable=False),
    sa.Column('max_amount', sa.BigInteger(), nullable=False),
    sa.Column('max_duration_months', sa.Integer(), nullable=False),
    sa.Column('eligible_countries', sa.JSON(), nullable=False),
    sa.Column('situations', sa.JSON(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('forms_of_exploitation', sa.JSON(), nullable=False),
    sa.Column('required_documents', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_calls_closes_after_opening')),
    sa.CheckConstraint('envelope >= 0', name=op.f('ck_calls_envelope_not_negative')),
    sa.CheckConstraint('max_amount > 0', name=op.f('ck_calls_max_amount_positive')),
    sa.CheckConstraint('max_duration_months > 0', name=op.f('ck_calls_max_duration_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calls_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls')),
    sa.UniqueConstraint('reference', name=op.f('uq_calls_reference'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_status'), ['status'], unique=False)

    op.create_table('organisation_profiles',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('legal_name', sa.String(length=300), nullable=False),
    sa.Column('countries_of_operation', sa.JSON(), nullable=False),
    sa.Column('registration_number', sa.String(length=100), nullable=False),
    sa.Column('registration_date', sa.Date(), nullable=True),
    sa.Column('assistance_since_year', sa.Integer(), nullable=True),
    sa.Column('un_partner_portal_id', sa.String(length=40), nullable=False),
    sa.Column('survivor_led', sa.Boolean(), nullable=False),
    sa.Column('psea_policy', sa.Boolean(), nullable=False),
    sa.Column('bank_account_holder', sa.String(length=200), nullable=False),
    sa.Column('registration_number_key', sa.String(length=100), nullable=False),
    sa.Column('bank_account_holder_key', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('registered', 'documents_submitted', 'verified', 'rejected', name='due_diligence_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('risk_rating', sa.Enum('low', 'medium', 'high', name='risk_rating', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_organisation_profiles_decided_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_profiles_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_organisation_profiles'))
    )
    with op.batch_alter_table('organisation_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_profiles_bank_account_holder_key'), ['bank_account_holder_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_profiles_registration_number_key'), ['registration_number_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_profiles_status'), ['status'], unique=False)

    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'screening', 'ineligible', 'in_review', 'info_requested', 'recommended', 'not_recommended', 'approved', 'reserve', 'rejected', 'withdrawn', name='application_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('duration_months', sa.Integer(), nullable=True),
    sa.Column('countries', sa.JSON(), nullable=False),
    sa.Column('locations', sa.Text(), nullable=False),
    sa.Column('situations', sa.JSON(), nullable=False),
    sa.Column('forms_of_exploitation', sa.JSON(), nullable=False),
    sa.Column('assistance_types', sa.JSON(), nullable=False),
    sa.Column('target_groups', sa.JSON(), nullable=False),
    sa.Column('target_groups_notes', sa.Text(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('requested_amount', sa.BigInteger(), nullable=False),
    sa.Column('psc_rate', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('psc_amount', sa.BigInteger(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('psc_amount >= 0', name=op.f('ck_applications_psc_not_negative')),
    sa.CheckConstraint('requested_amount >= 0', name=op.f('ck_applications_requested_not_negative')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_applications_call_id_calls')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_applications_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_applications_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_applications_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_status'), ['status'], unique=False)

    op.create_table('rubric_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('weight', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.CheckConstraint('weight > 0', name=op.f('ck_rubric_criteria_weight_positive')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_rubric_criteria_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_criteria')),
    sa.UniqueConstraint('call_id', 'position', name=op.f('uq_rubric_criteria_call_id'))
    )
    with op.batch_alter_table('rubric_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rubric_criteria_call_id'), ['call_id'], unique=False)

    op.create_table('application_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('information_request', 'reply', name='message_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_messages_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_application_messages_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_messages'))
    )
    with op.batch_alter_table('application_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_messages_application_id'), ['application_id'], unique=False)

    op.create_table('budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('personnel', 'direct_assistance', 'training_and_outreach', 'travel', 'equipment_and_supplies', 'premises_and_operations', 'monitoring_and_audit', 'other', name='budget_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_cost', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_budget_lines_quantity_positive')),
    sa.CheckConstraint('unit_cost >= 0', name=op.f('ck_budget_lines_unit_cost_not_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_budget_lines_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_lines'))
    )
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_lines_application_id'), ['application_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('registration_certificate', 'audited_financial_statements', 'psea_policy', 'reference_letter', 'proposal', 'budget', 'partner_declaration', 'other', name='document_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_documents_size_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_documents_application_id_applications')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_documents_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_documents_storage_key'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('planned_beneficiaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('sex', sa.Enum('female', 'male', 'other_or_unknown', name='sex', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('age_group', sa.Enum('adult', 'child', name='age_group', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_planned_beneficiaries_count_not_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_planned_beneficiaries_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planned_beneficiaries')),
    sa.UniqueConstraint('application_id', 'sex', 'age_group', name=op.f('uq_planned_beneficiaries_application_id'))
    )
    with op.batch_alter_table('planned_beneficiaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planned_beneficiaries_application_id'), ['application_id'], unique=False)

    op.create_table('workplan_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('start_month', sa.Integer(), nullable=False),
    sa.Column('end_month', sa.Integer(), nullable=False),
    sa.CheckConstraint('end_month >= start_month', name=op.f('ck_workplan_activities_ends_after_start')),
    sa.CheckConstraint('start_month >= 1', name=op.f('ck_workplan_activities_starts_in_first_month_or_later')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_workplan_activities_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workplan_activities'))
    )
    with op.batch_alter_table('workplan_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workplan_activities_application_id'), ['application_id'], unique=False)
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_listing', ['updated_at', 'id'], unique=False)
        batch_op.create_index('ix_applications_call_listing', ['call_id', 'updated_at', 'id'], unique=False)
        batch_op.create_index('ix_applications_status_listing', ['status', 'updated_at', 'id'], unique=False)

    op.create_table('receipt_sequences',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_receipt_sequences'))
    )
    op.create_table('stripe_events',
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('object_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_events'))
    )
    with op.batch_alter_table('stripe_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stripe_events_object_id'), ['object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stripe_events_type'), ['type'], unique=False)

    op.create_table('donors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('member_state', 'government', 'intergovernmental', 'company', 'foundation', 'individual', name='donor_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('public_recognition', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_donors_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_donors_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donors')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_donors_organisation_id'))
    )
    with op.batch_alter_table('donors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donors_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_donors_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_donors_user_id'), ['user_id'], unique=False)

    op.create_table('exchange_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('rate', sa.Numeric(precision=18, scale=8), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rate > 0', name=op.f('ck_exchange_rates_rate_positive')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_exchange_rates_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rates')),
    sa.UniqueConstraint('currency', 'month', name=op.f('uq_exchange_rates_currency'))
    )
    op.create_table('bank_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=True),
    sa.Column('value_date', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('bank_reference', sa.String(length=100), nullable=False),
    sa.Column('reference_key', sa.String(length=100), nullable=False),
    sa.Column('payer_name', sa.String(length=300), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('functional_amount', sa.BigInteger(), nullable=False),
    sa.Column('fx_rate', sa.Numeric(precision=18, scale=8), nullable=False),
    sa.Column('fx_month', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_bank_receipts_amount_positive')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_bank_receipts_donor_id_donors')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_bank_receipts_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_receipts')),
    sa.UniqueConstraint('reference_key', name=op.f('uq_bank_receipts_reference_key'))
    )
    with op.batch_alter_table('bank_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_receipts_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_receipts_value_date'), ['value_date'], unique=False)

    op.create_table('gift_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.Enum('incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'unpaid', 'paused', 'canceled', name='gift_subscription_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('public_recognition', sa.Boolean(), nullable=False),
    sa.Column('public_token', sa.String(length=64), nullable=False),
    sa.Column('stripe_customer_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_setup_intent_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_subscription_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_plan_id', sa.String(length=255), nullable=True),
    sa.Column('failure_message', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_requested_by_id', sa.Integer(), nullable=True),
    sa.Column('canceled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('donor_name', sa.String(length=300), server_default=donor_name_default, nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_gift_subscriptions_amount_positive')),
    sa.ForeignKeyConstraint(['cancel_requested_by_id'], ['users.id'], name=op.f('fk_gift_subscriptions_cancel_requested_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_gift_subscriptions_created_by_id_users')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_gift_subscriptions_donor_id_donors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_subscriptions')),
    sa.UniqueConstraint('public_token', name=op.f('uq_gift_subscriptions_public_token')),
    sa.UniqueConstraint('stripe_subscription_id', name=op.f('uq_gift_subscriptions_stripe_subscription_id'))
    )
    with op.batch_alter_table('gift_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gift_subscriptions_donor_id'), ['donor_id'], unique=False)

    op.create_table('pledges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('earmark', sa.String(length=40), nullable=True),
    sa.Column('status', sa.Enum('pledged', 'confirmed', 'partially_paid', 'paid', 'cancelled', 'written_off', name='pledge_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('letter_key', sa.String(length=64), nullable=True),
    sa.Column('letter_filename', sa.String(length=200), nullable=True),
    sa.Column('letter_content_type', sa.String(length=100), nullable=True),
    sa.Column('letter_size', sa.Integer(), nullable=True),
    sa.Column('functional_amount', sa.BigInteger(), nullable=True),
    sa.Column('fx_rate', sa.Numeric(precision=18, scale=8), nullable=True),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_functional_amount', sa.BigInteger(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_pledges_amount_positive')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_pledges_year_plausible')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_pledges_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pledges_created_by_id_users')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_pledges_donor_id_donors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledges'))
    )
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledges_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledges_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledges_year'), ['year'], unique=False)

    op.create_table('bank_receipt_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_receipt_id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('functional_amount', sa.BigInteger(), nullable=False),
    sa.Column('carrying_amount', sa.BigInteger(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_bank_receipt_allocations_amount_positive')),
    sa.ForeignKeyConstraint(['bank_receipt_id'], ['bank_receipts.id'], name=op.f('fk_bank_receipt_allocations_bank_receipt_id_bank_receipts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_bank_receipt_allocations_created_by_id_users')),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_bank_receipt_allocations_pledge_id_pledges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_receipt_allocations'))
    )
    with op.batch_alter_table('bank_receipt_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_receipt_allocations_bank_receipt_id'), ['bank_receipt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_receipt_allocations_pledge_id'), ['pledge_id'], unique=False)

    op.create_table('gifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('one_off', 'monthly', name='gift_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('pending', 'succeeded', 'failed', name='gift_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('functional_amount', sa.BigInteger(), nullable=True),
    sa.Column('fx_rate', sa.Numeric(precision=18, scale=8), nullable=True),
    sa.Column('fx_month', sa.Date(), nullable=True),
    sa.Column('fee_amount', sa.BigInteger(), nullable=False),
    sa.Column('public_recognition', sa.Boolean(), nullable=False),
    sa.Column('public_token', sa.String(length=64), nullable=False),
    sa.Column('stripe_customer_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_setup_intent_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_payment_intent_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_invoice_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_charge_id', sa.String(length=255), nullable=True),
    sa.Column('failure_message', sa.String(length=500), nullable=True),
    sa.Column('succeeded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('donor_name', sa.String(length=300), server_default=donor_name_default, nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_gifts_amount_positive')),
    sa.CheckConstraint('fee_amount >= 0', name=op.f('ck_gifts_fee_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_gifts_created_by_id_users')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_gifts_donor_id_donors')),
    sa.ForeignKeyConstraint(['subscription_id'], ['gift_subscriptions.id'], name=op.f('fk_gifts_subscription_id_gift_subscriptions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gifts')),
    sa.UniqueConstraint('public_token', name=op.f('uq_gifts_public_token')),
    sa.UniqueConstraint('stripe_invoice_id', name=op.f('uq_gifts_stripe_invoice_id')),
    sa.UniqueConstraint('stripe_payment_intent_id', name=op.f('uq_gifts_stripe_payment_intent_id'))
    )
    with op.batch_alter_table('gifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gifts_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gifts_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_gifts_stripe_charge_id'), ['stripe_charge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gifts_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gifts_succeeded_at'), ['succeeded_at'], unique=False)

    op.create_table('pledge_instalments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_pledge_instalments_amount_positive')),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_pledge_instalments_pledge_id_pledges'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge_instalments'))
    )
    with op.batch_alter_table('pledge_instalments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledge_instalments_pledge_id'), ['pledge_id'], unique=False)

    op.create_table('donation_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('gift_id', sa.Integer(), nullable=True),
    sa.Column('bank_receipt_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(gift_id IS NULL) <> (bank_receipt_id IS NULL)', name=op.f('ck_donation_receipts_one_subject')),
    sa.ForeignKeyConstraint(['bank_receipt_id'], ['bank_receipts.id'], name=op.f('fk_donation_receipts_bank_receipt_id_bank_receipts')),
    sa.ForeignKeyConstraint(['gift_id'], ['gifts.id'], name=op.f('fk_donation_receipts_gift_id_gifts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donation_receipts')),
    sa.UniqueConstraint('bank_receipt_id', name=op.f('uq_donation_receipts_bank_receipt_id')),
    sa.UniqueConstraint('gift_id', name=op.f('uq_donation_receipts_gift_id')),
    sa.UniqueConstraint('year', 'number', name=op.f('uq_donation_receipts_year'))
    )
    op.create_table('gift_disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gift_id', sa.Integer(), nullable=False),
    sa.Column('stripe_dispute_id', sa.String(length=255), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=60), nullable=True),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('functional_amount_lost', sa.BigInteger(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_gift_disputes_amount_positive')),
    sa.ForeignKeyConstraint(['gift_id'], ['gifts.id'], name=op.f('fk_gift_disputes_gift_id_gifts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_disputes')),
    sa.UniqueConstraint('stripe_dispute_id', name=op.f('uq_gift_disputes_stripe_dispute_id'))
    )
    with op.batch_alter_table('gift_disputes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gift_disputes_gift_id'), ['gift_id'], unique=False)

    op.create_table('gift_refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gift_id', sa.Integer(), nullable=False),
    sa.Column('stripe_refund_id', sa.String(length=255), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('functional_amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_gift_refunds_amount_positive')),
    sa.ForeignKeyConstraint(['gift_id'], ['gifts.id'], name=op.f('fk_gift_refunds_gift_id_gifts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_refunds')),
    sa.UniqueConstraint('stripe_refund_id', name=op.f('uq_gift_refunds_stripe_refund_id'))
    )
    with op.batch_alter_table('gift_refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gift_refunds_gift_id'), ['gift_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('review_assigned', 'review_reminder', 'reviewer_recused', 'reviews_complete', 'board_pack_ready', 'information_requested', 'screening_outcome', 'board_decision', 'attention_needed', name='notification_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)
    op.create_table('board_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('quorum', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='meeting_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('quorum >= 1', name=op.f('ck_board_meetings_quorum_positive')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_board_meetings_call_id_calls')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_board_meetings_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_meetings'))
    )
    with op.batch_alter_table('board_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_meetings_call_id'), ['call_id'], unique=False)
    op.create_table('board_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('approved', 'reserve', 'rejected', name='decision_outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('approved_amount', sa.BigInteger(), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(outcome = 'approved' AND approved_amount > 0) OR (outcome <> 'approved' AND approved_amount IS NULL)", name=op.f('ck_board_decisions_amount_only_when_approved')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_board_decisions_application_id_applications')),
    sa.ForeignKeyConstraint(['meeting_id'], ['board_meetings.id'], name=op.f('fk_board_decisions_meeting_id_board_meetings')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_board_decisions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_decisions'))
    )
    with op.batch_alter_table('board_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_decisions_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_decisions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_decisions_outcome'), ['outcome'], unique=False)
    op.create_table('board_meeting_members',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['board_meetings.id'], name=op.f('fk_board_meeting_members_meeting_id_board_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_board_meeting_members_user_id_users')),
    sa.PrimaryKeyConstraint('meeting_id', 'user_id', name=op.f('pk_board_meeting_members'))
    )
    op.create_table('panel_recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('recommended', 'not_recommended', name='panel_outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('weighted_score', sa.Numeric(precision=6, scale=3), nullable=True),
    sa.Column('key_risks', sa.Text(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_panel_recommendations_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_panel_recommendations_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_recommendations'))
    )
    with op.batch_alter_table('panel_recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_recommendations_application_id'), ['application_id'], unique=False)
    op.create_table('review_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('awaiting_declaration', 'active', 'recused', 'removed', name='assignment_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('has_conflict', sa.Boolean(), nullable=True),
    sa.Column('conflict_description', sa.Text(), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_review_assignments_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_review_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_review_assignments_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_assignments')),
    sa.UniqueConstraint('application_id', 'reviewer_id', name=op.f('uq_review_assignments_application_id'))
    )
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_assignments_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_assignments_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_assignments_status'), ['status'], unique=False)
    op.create_table('screenings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('eligible', 'ineligible', 'info_requested', name='screening_outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('screened_by_id', sa.Integer(), nullable=True),
    sa.Column('screened_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_screenings_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['screened_by_id'], ['users.id'], name=op.f('fk_screenings_screened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screenings'))
    )
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screenings_application_id'), ['application_id'], unique=False)
    op.create_table('board_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('vote', sa.Enum('approve', 'reserve', 'reject', 'abstain', 'recused', name='board_vote', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['board_decisions.id'], name=op.f('fk_board_votes_decision_id_board_decisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_board_votes_member_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_votes')),
    sa.UniqueConstraint('decision_id', 'member_id', name=op.f('uq_board_votes_decision_id'))
    )
    with op.batch_alter_table('board_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_votes_decision_id'), ['decision_id'], unique=False)
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', name='review_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recommendation', sa.Enum('fund', 'fund_with_conditions', 'do_not_fund', name='review_recommendation', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_reviews_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assignment_id'], ['review_assignments.id'], name=op.f('fk_reviews_assignment_id_review_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_reviews_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_reviews_assignment_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_status'), ['status'], unique=False)
    op.create_table('review_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.CheckConstraint('score >= 0 AND score <= 5', name=op.f('ck_review_scores_score_in_range')),
    sa.ForeignKeyConstraint(['criterion_id'], ['rubric_criteria.id'], name=op.f('fk_review_scores_criterion_id_rubric_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_scores_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_scores')),
    sa.UniqueConstraint('review_id', 'criterion_id', name=op.f('uq_review_scores_review_id'))
    )
    with op.batch_alter_table('review_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_scores_criterion_id'), ['criterion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_scores_review_id'), ['review_id'], unique=False)

    op.create_table('grant_sequences',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_grant_sequences'))
    )
    op.create_table('grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('board_decision_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('awarded', 'agreement_sent', 'active', 'suspended', 'closing', 'closed', name='grant_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('psc_rate', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('psc_amount', sa.BigInteger(), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('risk_rating', sa.Enum('low', 'medium', 'high', name='grant_risk_rating', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('budget_version', sa.Integer(), nullable=False),
    sa.Column('awarded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('awarded_by_id', sa.Integer(), nullable=True),
    sa.Column('agreement_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('agreement_sent_by_id', sa.Integer(), nullable=True),
    sa.Column('agreement_sha256', sa.String(length=64), nullable=True),
    sa.Column('signatory_name', sa.String(length=200), nullable=True),
    sa.Column('signatory_title', sa.String(length=200), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_ip', sa.String(length=45), nullable=True),
    sa.Column('suspension_reason', sa.Text(), nullable=True),
    sa.Column('closing_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_expenditure', sa.BigInteger(), nullable=True),
    sa.Column('unspent_amount', sa.BigInteger(), nullable=True),
    sa.Column('released_amount', sa.BigInteger(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_grants_amount_positive')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_grants_ends_after_start')),
    sa.CheckConstraint('psc_amount >= 0', name=op.f('ck_grants_psc_not_negative')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_grants_accepted_by_id_users')),
    sa.ForeignKeyConstraint(['agreement_sent_by_id'], ['users.id'], name=op.f('fk_grants_agreement_sent_by_id_users')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_grants_application_id_applications')),
    sa.ForeignKeyConstraint(['awarded_by_id'], ['users.id'], name=op.f('fk_grants_awarded_by_id_users')),
    sa.ForeignKeyConstraint(['board_decision_id'], ['board_decisions.id'], name=op.f('fk_grants_board_decision_id_board_decisions')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_grants_closed_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_grants_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grants')),
    sa.UniqueConstraint('application_id', name=op.f('uq_grants_application_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_grants_reference')),
    sa.UniqueConstraint('year', 'number', name=op.f('uq_grants_year'))
    )
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grants_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grants_status'), ['status'], unique=False)

    op.create_table('grant_amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('budget_reallocation', 'no_cost_extension', name='amendment_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('requested', 'approved', 'rejected', name='amendment_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('old_end_date', sa.Date(), nullable=True),
    sa.Column('new_end_date', sa.Date(), nullable=True),
    sa.Column('base_budget_version', sa.Integer(), nullable=True),
    sa.Column('new_budget_version', sa.Integer(), nullable=True),
    sa.Column('proposed_amounts', sa.JSON(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_grant_amendments_decided_by_id_users')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_amendments_grant_id_grants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_grant_amendments_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_amendments')),
    sa.UniqueConstraint('grant_id', 'number', name=op.f('uq_grant_amendments_grant_id'))
    )
    with op.batch_alter_table('grant_amendments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_amendments_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_amendments_status'), ['status'], unique=False)

    op.create_table('grant_budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('personnel', 'direct_assistance', 'training_and_outreach', 'travel', 'equipment_and_supplies', 'premises_and_operations', 'monitoring_and_audit', 'other', name='grant_budget_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_grant_budget_lines_amount_not_negative')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_budget_lines_grant_id_grants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_budget_lines')),
    sa.UniqueConstraint('grant_id', 'version', 'position', name=op.f('uq_grant_budget_lines_grant_id'))
    )
    with op.batch_alter_table('grant_budget_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_budget_lines_grant_id'), ['grant_id'], unique=False)

    op.create_table('grant_refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('psc_reversed', sa.BigInteger(), nullable=False),
    sa.Column('bank_reference', sa.String(length=100), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_grant_refunds_amount_positive')),
    sa.CheckConstraint('psc_reversed >= 0', name=op.f('ck_grant_refunds_psc_reversed_not_negative')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_refunds_grant_id_grants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_grant_refunds_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_refunds')),
    sa.UniqueConstraint('grant_id', 'bank_reference', name=op.f('uq_grant_refunds_grant_id'))
    )
    with op.batch_alter_table('grant_refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_refunds_grant_id'), ['grant_id'], unique=False)

    op.create_table('grant_tranches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'requested', 'approved', 'sent', 'paid', 'failed', 'cancelled', name='tranche_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('psc_amount', sa.BigInteger(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bank_reference', sa.String(length=100), nullable=True),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('cancellation_reason', sa.Text(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_grant_tranches_amount_positive')),
    sa.CheckConstraint('approved_by_id IS NULL OR requested_by_id IS NULL OR approved_by_id <> requested_by_id', name=op.f('ck_grant_tranches_checker_is_not_maker')),
    sa.CheckConstraint('attempt >= 1', name=op.f('ck_grant_tranches_attempt_positive')),
    sa.CheckConstraint('psc_amount >= 0', name=op.f('ck_grant_tranches_psc_not_negative')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_grant_tranches_approved_by_id_users')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_grant_tranches_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_tranches_grant_id_grants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_grant_tranches_requested_by_id_users')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_grant_tranches_sent_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_tranches')),
    sa.UniqueConstraint('grant_id', 'number', name=op.f('uq_grant_tranches_grant_id'))
    )
    with op.batch_alter_table('grant_tranches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_tranches_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_tranches_status'), ['status'], unique=False)

    op.create_table('grant_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('progress', 'financial', 'final', name='grant_report_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('due', 'submitted', 'accepted', 'changes_requested', name='grant_report_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('gates_tranche_id', sa.Integer(), nullable=True),
    sa.Column('results', sa.Text(), nullable=False),
    sa.Column('challenges', sa.Text(), nullable=False),
    sa.Column('lessons', sa.Text(), nullable=False),
    sa.Column('safeguarding_incidents', sa.Integer(), nullable=False),
    sa.Column('safeguarding_details', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('last_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('safeguarding_incidents >= 0', name=op.f('ck_grant_reports_incidents_not_negative')),
    sa.ForeignKeyConstraint(['gates_tranche_id'], ['grant_tranches.id'], name=op.f('fk_grant_reports_gates_tranche_id_grant_tranches'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_reports_grant_id_grants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_grant_reports_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_grant_reports_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_reports'))
    )
    with op.batch_alter_table('grant_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_reports_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_reports_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_reports_status'), ['status'], unique=False)

    op.create_table('grant_report_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_grant_report_attachments_size_positive')),
    sa.ForeignKeyConstraint(['report_id'], ['grant_reports.id'], name=op.f('fk_grant_report_attachments_report_id_grant_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_grant_report_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_report_attachments')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_grant_report_attachments_storage_key'))
    )
    with op.batch_alter_table('grant_report_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_report_attachments_report_id'), ['report_id'], unique=False)

    op.create_table('grant_report_expenditures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('budget_line_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_grant_report_expenditures_amount_not_negative')),
    sa.ForeignKeyConstraint(['budget_line_id'], ['grant_budget_lines.id'], name=op.f('fk_grant_report_expenditures_budget_line_id_grant_budget_lines')),
    sa.ForeignKeyConstraint(['report_id'], ['grant_reports.id'], name=op.f('fk_grant_report_expenditures_report_id_grant_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_report_expenditures')),
    sa.UniqueConstraint('report_id', 'budget_line_id', name=op.f('uq_grant_report_expenditures_report_id'))
    )
    with op.batch_alter_table('grant_report_expenditures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_report_expenditures_report_id'), ['report_id'], unique=False)

    op.create_table('grant_report_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.Enum('sex_age', 'exploitation', 'assistance', name='figure_dimension', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_grant_report_figures_count_not_negative')),
    sa.ForeignKeyConstraint(['report_id'], ['grant_reports.id'], name=op.f('fk_grant_report_figures_report_id_grant_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_report_figures')),
    sa.UniqueConstraint('report_id', 'dimension', 'code', name=op.f('uq_grant_report_figures_report_id'))
    )
    with op.batch_alter_table('grant_report_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_report_figures_report_id'), ['report_id'], unique=False)

    op.create_table('form_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('form', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_submissions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_submissions')),
    sa.UniqueConstraint('key', name=op.f('uq_form_submissions_key'))
    )
    with op.batch_alter_table('form_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_submissions_user_id'), ['user_id'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='outbox_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_messages_idempotency_key'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_due', ['status', 'next_attempt_at'], unique=False)

    if dialect == 'postgresql':
        op.execute(f"CREATE SEQUENCE {TRANSFER_SEQUENCE} AS bigint")
        op.execute(LEDGER_REFUSE_FUNCTION)
        # Room on every page of ledger_accounts for updated rows, so each posting's new totals
        # stay on their page (HOT updates, no index entries).
        op.execute("ALTER TABLE ledger_accounts SET (fillfactor = 50)")
    for table in APPEND_ONLY_TABLES:
        for statement in append_only_sql(dialect, table)[0]:
            op.execute(statement)
    for statement in (
        ROLES_KEPT_APART_POSTGRESQL if dialect == 'postgresql' else ROLES_KEPT_APART_SQLITE
    ):
        op.execute(statement)

    insert_chart_of_accounts()


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS user_roles_kept_apart ON user_roles")
        op.execute("DROP FUNCTION IF EXISTS reject_incompatible_roles()")
    else:
        op.execute("DROP TRIGGER IF EXISTS user_roles_kept_apart_insert")
        op.execute("DROP TRIGGER IF EXISTS user_roles_kept_apart_update")
    for table in reversed(APPEND_ONLY_TABLES):
        for statement in append_only_sql(dialect, table)[1]:
            op.execute(statement)
    if dialect == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS reject_append_only_change()")
        op.execute("DROP FUNCTION IF EXISTS ledger_refuse(json)")
        op.execute(f"DROP SEQUENCE IF EXISTS {TRANSFER_SEQUENCE}")

    # Each table goes with its indexes and constraints, dependents first.
    op.drop_table('outbox_messages')
    op.drop_table('form_submissions')
    op.drop_table('grant_report_figures')
    op.drop_table('grant_report_expenditures')
    op.drop_table('grant_report_attachments')
    op.drop_table('grant_reports')
    op.drop_table('grant_tranches')
    op.drop_table('grant_refunds')
    op.drop_table('grant_budget_lines')
    op.drop_table('grant_amendments')
    op.drop_table('grants')
    op.drop_table('grant_sequences')
    op.drop_table('review_scores')
    op.drop_table('reviews')
    op.drop_table('board_votes')
    op.drop_table('screenings')
    op.drop_table('review_assignments')
    op.drop_table('panel_recommendations')
    op.drop_table('board_meeting_members')
    op.drop_table('board_decisions')
    op.drop_table('board_meetings')
    op.drop_table('notifications')
    op.drop_table('gift_refunds')
    op.drop_table('gift_disputes')
    op.drop_table('donation_receipts')
    op.drop_table('pledge_instalments')
    op.drop_table('gifts')
    op.drop_table('bank_receipt_allocations')
    op.drop_table('pledges')
    op.drop_table('gift_subscriptions')
    op.drop_table('bank_receipts')
    op.drop_table('exchange_rates')
    op.drop_table('donors')
    op.drop_table('stripe_events')
    op.drop_table('receipt_sequences')
    op.drop_table('workplan_activities')
    op.drop_table('planned_beneficiaries')
    op.drop_table('documents')
    op.drop_table('budget_lines')
    op.drop_table('application_messages')
    op.drop_table('rubric_criteria')
    op.drop_table('applications')
    op.drop_table('organisation_profiles')
    op.drop_table('calls')
    op.drop_table('ledger_transfers')
    op.drop_table('ledger_checkpoints')
    op.drop_table('ledger_accounts')
    op.drop_table('user_roles')
    op.drop_table('recovery_codes')
    op.drop_table('memberships')
    op.drop_table('users')
    op.drop_table('organisations')
    op.drop_table('audit_events')
