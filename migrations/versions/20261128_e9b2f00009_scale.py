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

# The fund's application list, newest first, unfiltered or by call or by status (keyset
# pagination on (updated_at, id), decision 0061).
APPLICATION_INDEXES = {
    'ix_applications_listing': ['updated_at', 'id'],
    'ix_applications_call_listing': ['call_id', 'updated_at', 'id'],
    'ix_applications_status_listing': ['status', 'updated_at', 'id'],
}


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        for name, columns in APPLICATION_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        for name in reversed(list(APPLICATION_INDEXES)):
            batch_op.drop_index(name)
