"""accounts: the database refuses one person holding both the admin and finance roles, however
the roles are written (segregation of duties, decision 0002)

Revision ID: b3e6f00012
Revises: a2d5f00011
Create Date: 2026-11-29 03:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b3e6f00012'
down_revision = 'a2d5f00011'
branch_labels = None
depends_on = None

# The pair of app/accounts/permissions.py INCOMPATIBLE_ROLES when this was written: a
# new pair there needs a new migration here.
_PAIR = "('admin', 'finance')"
_MESSAGE = "one person cannot hold both the admin and finance roles"

_POSTGRESQL = [
    f"""
    CREATE FUNCTION reject_incompatible_roles() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.role IN {_PAIR} THEN
            -- Two transactions giving one person each half of the pair at once: the second
            -- waits here for the first, then sees its row.
            PERFORM 1 FROM users WHERE id = NEW.user_id FOR UPDATE;
            IF EXISTS (
                SELECT 1 FROM user_roles
                WHERE user_id = NEW.user_id AND role IN {_PAIR} AND role <> NEW.role
            ) THEN
                RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
        END IF;
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER user_roles_kept_apart BEFORE INSERT OR UPDATE ON user_roles "
    "FOR EACH ROW EXECUTE FUNCTION reject_incompatible_roles()",
]

_SQLITE = [
    f"""
    CREATE TRIGGER user_roles_kept_apart_{event.lower()} BEFORE {event} ON user_roles
    WHEN NEW.role IN {_PAIR} AND EXISTS (
        SELECT 1 FROM user_roles
        WHERE user_id = NEW.user_id AND role IN {_PAIR} AND role <> NEW.role
    )
    BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
    """
    for event in ("INSERT", "UPDATE")
]


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRESQL if dialect == 'postgresql' else _SQLITE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS user_roles_kept_apart ON user_roles")
        op.execute("DROP FUNCTION IF EXISTS reject_incompatible_roles()")
    else:
        op.execute("DROP TRIGGER IF EXISTS user_roles_kept_apart_insert")
        op.execute("DROP TRIGGER IF EXISTS user_roles_kept_apart_update")
