"""sanctions screening: imported versions of the UN sanctions list, its entries, and hits

Each import keeps the SHA-256 of its file; entries are kept by the list's DATAID with a hash of
their content; a hit is a possible match of an organisation's name on an entry, decided by the
fund manager (open, cleared, confirmed).

Revision ID: 164a821352bb
Revises: 68eb2ef9bf99
Create Date: 2026-12-06 23:18:44.249546

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '164a821352bb'
down_revision = '68eb2ef9bf99'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sanctions_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('generated', sa.String(length=40), nullable=False),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_sanctions_lists_imported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sanctions_lists'))
    )
    with op.batch_alter_table('sanctions_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sanctions_lists_sha256'), ['sha256'], unique=False)

    op.create_table('sanctions_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('data_id', sa.String(length=40), nullable=False),
    sa.Column('reference_number', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.Enum('individual', 'entity', name='sanction_entry_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['list_id'], ['sanctions_lists.id'], name=op.f('fk_sanctions_entries_list_id_sanctions_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sanctions_entries')),
    sa.UniqueConstraint('data_id', name=op.f('uq_sanctions_entries_data_id'))
    )
    with op.batch_alter_table('sanctions_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sanctions_entries_list_id'), ['list_id'], unique=False)

    op.create_table('screening_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('screened', sa.Enum('organisation', 'legal_name', 'bank_account_holder', 'signatory', name='screened_name', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('screened_name', sa.String(length=300), nullable=False),
    sa.Column('matched_name', sa.String(length=500), nullable=False),
    sa.Column('alias_quality', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('open', 'cleared', 'confirmed', name='screening_hit_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_screening_hits_decided_by_id_users')),
    sa.ForeignKeyConstraint(['entry_id'], ['sanctions_entries.id'], name=op.f('fk_screening_hits_entry_id_sanctions_entries')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_screening_hits_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_hits'))
    )
    with op.batch_alter_table('screening_hits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_hits_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index('ix_screening_hits_organisation_entry', ['organisation_id', 'entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_hits_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('screening_hits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_hits_status'))
        batch_op.drop_index('ix_screening_hits_organisation_entry')
        batch_op.drop_index(batch_op.f('ix_screening_hits_entry_id'))

    op.drop_table('screening_hits')
    with op.batch_alter_table('sanctions_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sanctions_entries_list_id'))

    op.drop_table('sanctions_entries')
    with op.batch_alter_table('sanctions_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sanctions_lists_sha256'))

    op.drop_table('sanctions_lists')
