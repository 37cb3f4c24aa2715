"""scale: indexes and maintained totals that keep pages fast at the large scale

Revision ID: e9b2f00009
Revises: d8a1f00008
Create Date: 2026-11-28 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e9b2f00009'
down_revision = 'd8a1f00008'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
