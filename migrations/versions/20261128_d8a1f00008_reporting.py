"""reporting: tables or indexes the reporting area needs (dashboards, statements, exports, transparency)

Revision ID: d8a1f00008
Revises: c7a9e1f00007
Create Date: 2026-11-28 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8a1f00008'
down_revision = 'c7a9e1f00007'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
