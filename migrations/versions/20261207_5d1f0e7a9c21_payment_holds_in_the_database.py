"""payment holds in the database: a tranche is not approved or sent while its organisation has
an open or confirmed sanctions match, a change of bank details waiting, or no confirmed account
past its hold (decision 0088)

The services refuse the same (ensure_payable, ensure_no_sanctions_hold); these triggers hold
when they are bypassed. The step is timed by the tranche's own approved_at / sent_at (the
services' clock, which tests set), the transaction's time when those are empty. Recording a
sent tranche as paid is not refused: the money had left.

PostgreSQL: the tranche trigger locks the organisation's row, and so does a new open or
confirmed match (screening_hits trigger), as a confirmation of bank details does in the
services: a match raised at the moment a tranche is approved commits after it, or the approval
waits for it and is refused. SQLite runs one writer at a time.

SQLite: a later batch_alter_table of grant_tranches recreates the table without these triggers;
tests/migrations/test_constraints_match_code.py then fails until it puts them back.

Revision ID: 5d1f0e7a9c21
Revises: 5e1d0a7c3b21
Create Date: 2026-12-07 02:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d1f0e7a9c21'
down_revision = '5e1d0a7c3b21'
branch_labels = None
depends_on = None

# app/screening/models.py HOLDING_HIT_STATUSES and the tranche steps that move money.
HOLDING = "('open', 'confirmed')"
STEPS = "('approved', 'sent')"
SANCTIONS_MESSAGE = "payment_hold: the organisation has an open or confirmed sanctions match"
BANK_MESSAGE = (
    "payment_hold: the organisation has no confirmed bank account past its hold, "
    "or a change of bank details is waiting"
)

POSTGRESQL_UP = [
    f"""
    CREATE FUNCTION refuse_payment_on_hold() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        org integer;
        moment timestamptz;
    BEGIN
        SELECT organisation_id INTO org FROM grants WHERE id = NEW.grant_id;
        -- A match raised, or bank details confirmed, at this moment lock the same row: this
        -- step waits for them and then sees them, or they wait for this step to commit.
        PERFORM 1 FROM organisations WHERE id = org FOR NO KEY UPDATE;
        IF EXISTS (
            SELECT 1 FROM screening_hits WHERE organisation_id = org AND status IN {HOLDING}
        ) THEN
            RAISE EXCEPTION '{SANCTIONS_MESSAGE} (tranche %)', NEW.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        moment := COALESCE(
            CASE WHEN NEW.status = 'sent' THEN NEW.sent_at ELSE NEW.approved_at END, now()
        );
        IF EXISTS (
            SELECT 1 FROM bank_accounts WHERE organisation_id = org
            AND confirmed_at IS NULL AND rejected_at IS NULL
        ) OR NOT EXISTS (
            SELECT 1 FROM bank_accounts WHERE organisation_id = org
            AND confirmed_at IS NOT NULL AND superseded_at IS NULL
            AND (active_from IS NULL OR active_from <= moment)
        ) THEN
            RAISE EXCEPTION '{BANK_MESSAGE} (tranche %)', NEW.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER grant_tranches_payment_hold"
    " BEFORE UPDATE OF status, approved_account_id ON grant_tranches FOR EACH ROW"
    f" WHEN (NEW.status IN {STEPS} AND (OLD.status IS DISTINCT FROM NEW.status"
    " OR OLD.approved_account_id IS DISTINCT FROM NEW.approved_account_id))"
    " EXECUTE FUNCTION refuse_payment_on_hold()",
    """
    CREATE FUNCTION lock_organisation_of_hit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- The foreign key's KEY SHARE lock does not wait for a payment step's NO KEY UPDATE.
        PERFORM 1 FROM organisations WHERE id = NEW.organisation_id FOR NO KEY UPDATE;
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER screening_hits_lock_organisation"
    " BEFORE INSERT OR UPDATE OF status ON screening_hits FOR EACH ROW"
    f" WHEN (NEW.status IN {HOLDING}) EXECUTE FUNCTION lock_organisation_of_hit()",
]

POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS screening_hits_lock_organisation ON screening_hits",
    "DROP FUNCTION IF EXISTS lock_organisation_of_hit()",
    "DROP TRIGGER IF EXISTS grant_tranches_payment_hold ON grant_tranches",
    "DROP FUNCTION IF EXISTS refuse_payment_on_hold()",
]

_SQLITE_STEP = (
    f"NEW.status IN {STEPS} AND (OLD.status IS NOT NEW.status"
    " OR OLD.approved_account_id IS NOT NEW.approved_account_id)"
)
_SQLITE_MOMENT = (
    "COALESCE(CASE WHEN NEW.status = 'sent' THEN NEW.sent_at ELSE NEW.approved_at END,"
    " CURRENT_TIMESTAMP)"
)
SQLITE_UP = [
    f"""
    CREATE TRIGGER grant_tranches_sanctions_hold
    BEFORE UPDATE OF status, approved_account_id ON grant_tranches
    WHEN {_SQLITE_STEP} AND EXISTS (
        SELECT 1 FROM screening_hits h JOIN grants g ON g.organisation_id = h.organisation_id
        WHERE g.id = NEW.grant_id AND h.status IN {HOLDING}
    )
    BEGIN SELECT RAISE(ABORT, '{SANCTIONS_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER grant_tranches_bank_hold
    BEFORE UPDATE OF status, approved_account_id ON grant_tranches
    WHEN {_SQLITE_STEP} AND (
        EXISTS (
            SELECT 1 FROM bank_accounts b JOIN grants g ON g.organisation_id = b.organisation_id
            WHERE g.id = NEW.grant_id AND b.confirmed_at IS NULL AND b.rejected_at IS NULL
        ) OR NOT EXISTS (
            SELECT 1 FROM bank_accounts b JOIN grants g ON g.organisation_id = b.organisation_id
            WHERE g.id = NEW.grant_id AND b.confirmed_at IS NOT NULL
            AND b.superseded_at IS NULL
            AND (b.active_from IS NULL OR b.active_from <= {_SQLITE_MOMENT})
        )
    )
    BEGIN SELECT RAISE(ABORT, '{BANK_MESSAGE}'); END
    """,
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS grant_tranches_bank_hold",
    "DROP TRIGGER IF EXISTS grant_tranches_sanctions_hold",
]


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for statement in POSTGRESQL_UP if postgresql else SQLITE_UP:
        op.execute(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for statement in POSTGRESQL_DOWN if postgresql else SQLITE_DOWN:
        op.execute(statement)
