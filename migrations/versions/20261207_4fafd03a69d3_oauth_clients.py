"""oauth clients: programs that get API tokens by the client credentials grant, each acting
through a program account (users.is_program)

Revision ID: 4fafd03a69d3
Revises: f7a2c4e91d30
Create Date: 2026-12-07 02:39:57.991518

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4fafd03a69d3'
down_revision = 'f7a2c4e91d30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('oauth_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=50), nullable=False),
    sa.Column('role', sa.Enum('fund_manager', 'finance', 'auditor', name='oauth_client_role', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('secret_rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_token_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(role IS NULL) <> (organisation_id IS NULL)', name=op.f('ck_oauth_clients_acts_as_role_or_organisation')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_oauth_clients_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_oauth_clients_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oauth_clients_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_clients')),
    sa.UniqueConstraint('client_id', name=op.f('uq_oauth_clients_client_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_oauth_clients_user_id'))
    )
    with op.batch_alter_table('oauth_clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_clients_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_program', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('oauth_clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_clients_organisation_id'))

    op.drop_table('oauth_clients')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_program')
