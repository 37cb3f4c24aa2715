"""gifts indexed in the contributions list's order: the UTC day a gift counts (when it
succeeded, else when it was started) and its list key (id * 2), so PostgreSQL reads the first
page of 476,990 contributions from the index (1.3 ms) instead of sorting them all (400 ms)

The expression is the list's own (app/donations/reports/contributions.py, ``_UtcDay`` and
``_gift_moment``), spelled for each database; the model declares the same index.

Revision ID: 7c1e9a2b4d60
Revises: 2cb27d84ec6e
Create Date: 2026-12-07 16:05:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c1e9a2b4d60'
down_revision = '2cb27d84ec6e'
branch_labels = None
depends_on = None

DAY = {
    "postgresql": "CAST(timezone('UTC', coalesce(succeeded_at, created_at)) AS DATE)",
    "sqlite": "date(coalesce(succeeded_at, created_at))",
}


def upgrade():
    day = DAY[op.get_bind().dialect.name]
    op.execute(f"CREATE INDEX ix_gifts_listed ON gifts ({day}, (id * 2))")


def downgrade():
    op.execute("DROP INDEX ix_gifts_listed")
