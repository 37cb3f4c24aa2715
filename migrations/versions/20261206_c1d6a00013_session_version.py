"""accounts: users.session_version gets a database default of 1, so a person's row written
outside the application (a bulk load, a repair in SQL) starts with a version every sign-in
check can compare; signing out now bumps it too (decision 0001)

Revision ID: c1d6a00013
Revises: b3e6f00012
Create Date: 2026-12-06 20:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c1d6a00013'
down_revision = 'b3e6f00012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column(
            'session_version',
            existing_type=sa.Integer(),
            existing_nullable=False,
            server_default=sa.text('1'),
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column(
            'session_version',
            existing_type=sa.Integer(),
            existing_nullable=False,
            server_default=None,
        )
