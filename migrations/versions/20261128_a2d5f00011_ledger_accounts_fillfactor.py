"""ledger: room on every page of ledger_accounts for updated rows (fillfactor 50), so each
posting's new totals stay on their page (HOT updates, no index entries) (PostgreSQL only)

Revision ID: a2d5f00011
Revises: f1c4f00010
Create Date: 2026-11-28 14:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a2d5f00011'
down_revision = 'f1c4f00010'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    # Every posting rewrites the totals of its accounts. On a full page the new row version
    # goes to another page and every index of the table gets an entry for it; with half of
    # each page free it stays on its page. Pages written before this keep their layout until
    # they are rewritten (VACUUM FULL), which an operator may do at leisure.
    op.execute("ALTER TABLE ledger_accounts SET (fillfactor = 50)")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("ALTER TABLE ledger_accounts RESET (fillfactor)")
