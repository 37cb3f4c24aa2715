"""donations: each gift and monthly gift keeps the name typed for it (donor_name), so its receipt
names the person who gave even when the donor record, found by e-mail address, carries another
name (two people sharing one address); gifts already stored get their donor's current name

Revision ID: e5b9f00017
Revises: d4a8e00016
Create Date: 2026-12-06 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b9f00017'
down_revision = 'd4a8e00016'
branch_labels = None
depends_on = None

TABLES = ('gifts', 'gift_subscriptions')


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in TABLES:
        # Added in place, not by copying the table (batch mode): on SQLite a copy drops the
        # table that refunds, disputes, receipts and months refer to, which foreign keys refuse.
        # SQLite adds a NOT NULL column only with a default; it is dropped again elsewhere.
        op.add_column(
            table,
            sa.Column('donor_name', sa.String(length=300), nullable=False, server_default=''),
        )
        # What was typed for them was not kept: the donor's name is the best we know.
        op.execute(
            f"UPDATE {table} SET donor_name = "
            f"(SELECT donors.name FROM donors WHERE donors.id = {table}.donor_id)"
        )
        if not sqlite:
            op.alter_column(
                table,
                'donor_name',
                existing_type=sa.String(length=300),
                existing_nullable=False,
                server_default=None,
            )


def downgrade():
    for table in reversed(TABLES):
        op.drop_column(table, 'donor_name')
