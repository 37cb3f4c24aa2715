"""audit log seals: checkpoints of a hash chain over the audit events, as the ledger has

Each checkpoint covers the audit events since the one before, by id, chained to its hash
(app/audit/chain.py). Append-only, with the same triggers as the other append-only tables.

Revision ID: e3a9c7d51b08
Revises: c0b1e5a7d3f2
Create Date: 2026-12-07 02:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e3a9c7d51b08'
down_revision = 'c0b1e5a7d3f2'
branch_labels = None
depends_on = None

TABLE = 'audit_checkpoints'


def _append_only_sql(dialect):
    """(create, drop) statements of the triggers that make the seals append-only (a copy of
    the baseline migration's, for this one table)."""
    if dialect == 'postgresql':
        return (
            [
                "CREATE OR REPLACE FUNCTION reject_append_only_change() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% is append-only: % refused', "
                "TG_TABLE_NAME, TG_OP USING ERRCODE = 'integrity_constraint_violation'; END $$",
                f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION reject_append_only_change()",
            ],
            # The function stays: the baseline's append-only tables use it too.
            [f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}"],
        )
    return (
        [
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: UPDATE refused'); END",
            f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: DELETE refused'); END",
        ],
        [
            f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
        ],
    )


def upgrade():
    op.create_table(TABLE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_event_id', sa.BigInteger(), nullable=False),
    sa.Column('last_event_id', sa.BigInteger(), nullable=False),
    sa.Column('event_count', sa.Integer(), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sealed_by_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints')),
    sa.UniqueConstraint('last_event_id', name=op.f('uq_audit_checkpoints_last_event_id'))
    )
    for statement in _append_only_sql(op.get_bind().dialect.name)[0]:
        op.execute(statement)


def downgrade():
    for statement in _append_only_sql(op.get_bind().dialect.name)[1]:
        op.execute(statement)
    op.drop_table(TABLE)
