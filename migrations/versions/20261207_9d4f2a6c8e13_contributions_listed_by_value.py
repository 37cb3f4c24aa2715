"""gifts indexed in the contributions list's order by value (its Amount and Value columns):
what the gift is worth in the functional currency (0 while unpaid) and its list key (id * 2),
so PostgreSQL reads the first page sorted by value from the index, as ix_gifts_listed does for
the default order, instead of sorting every contribution

The expression is the list's own (app/donations/reports/contribution_entries.py, ``valued``);
the model declares the same index.

Revision ID: 9d4f2a6c8e13
Revises: 5c2e8a4f6b1d
Create Date: 2026-12-07 18:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "9d4f2a6c8e13"
down_revision = "5c2e8a4f6b1d"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "CREATE INDEX ix_gifts_valued ON gifts"
        " (CAST(coalesce(functional_amount, 0) AS BIGINT), (id * 2))"
    )


def downgrade():
    op.execute("DROP INDEX ix_gifts_valued")
