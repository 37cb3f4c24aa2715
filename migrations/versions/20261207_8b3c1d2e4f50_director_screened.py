"""an organisation's director, in its due-diligence file and screened against the sanctions
list like its other key people (screening_hits.screened gains 'director')

Revision ID: 8b3c1d2e4f50
Revises: c4b1f2a90e57
Create Date: 2026-12-07 02:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b3c1d2e4f50'
down_revision = 'c4b1f2a90e57'
branch_labels = None
depends_on = None

# app/screening/models.py ScreenedName before and after this migration.
SCREENED_BEFORE = ('organisation', 'legal_name', 'bank_account_holder', 'signatory')
SCREENED_AFTER = SCREENED_BEFORE + ('director',)


def _set_screened(values):
    listed = ", ".join(f"'{value}'" for value in values)
    with op.batch_alter_table('screening_hits', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_screening_hits_screened_name'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_screening_hits_screened_name'), f"screened IN ({listed})"
        )


def upgrade():
    with op.batch_alter_table('organisation_profiles', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('director_name', sa.String(length=200), nullable=False, server_default='')
        )
    _set_screened(SCREENED_AFTER)


def downgrade():
    # A director's match cannot outlive its kind: it is filed as the organisation's own name.
    op.execute("UPDATE screening_hits SET screened = 'organisation' WHERE screened = 'director'")
    _set_screened(SCREENED_BEFORE)
    with op.batch_alter_table('organisation_profiles', schema=None) as batch_op:
        batch_op.drop_column('director_name')
