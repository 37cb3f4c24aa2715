"""gifts and monthly gifts keep the language of the page they were given on, so the receipt
e-mail (written when Stripe's webhook arrives, with no visitor's language) is in the giver's

Revision ID: a9a6cec975cd
Revises: 29ee3b0c3f86
Create Date: 2026-12-07 00:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a9a6cec975cd'
down_revision = '29ee3b0c3f86'
branch_labels = None
depends_on = None


def upgrade():
    for table in ("gifts", "gift_subscriptions"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("locale", sa.String(length=10), nullable=True))


def downgrade():
    for table in ("gifts", "gift_subscriptions"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("locale")
