"""monitoring: visits, spot checks and audits of a grant, their findings and recommendations,
and the partner ratings confirmed from the partner score

partner_ratings is append-only (a later decision is a new row), with the same triggers as the
other append-only tables.

Revision ID: b5e1c3d7a920
Revises: b5d1e7a3c902
Create Date: 2026-12-07 05:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5e1c3d7a920'
down_revision = 'b5d1e7a3c902'
branch_labels = None
depends_on = None

RATINGS = 'partner_ratings'


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _rating(name):
    return _enum(name, 'low', 'medium', 'high')


def _append_only_sql(dialect):
    """(create, drop) statements of the triggers that make partner_ratings append-only."""
    if dialect == 'postgresql':
        return (
            [
                "CREATE OR REPLACE FUNCTION reject_append_only_change() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% is append-only: % refused', "
                "TG_TABLE_NAME, TG_OP USING ERRCODE = 'integrity_constraint_violation'; END $$",
                f"CREATE TRIGGER {RATINGS}_append_only BEFORE UPDATE OR DELETE ON {RATINGS} "
                "FOR EACH ROW EXECUTE FUNCTION reject_append_only_change()",
            ],
            # The function stays: the other append-only tables use it too.
            [f"DROP TRIGGER IF EXISTS {RATINGS}_append_only ON {RATINGS}"],
        )
    return (
        [
            f"CREATE TRIGGER {RATINGS}_no_update BEFORE UPDATE ON {RATINGS} "
            f"BEGIN SELECT RAISE(ABORT, '{RATINGS} is append-only: UPDATE refused'); END",
            f"CREATE TRIGGER {RATINGS}_no_delete BEFORE DELETE ON {RATINGS} "
            f"BEGIN SELECT RAISE(ABORT, '{RATINGS} is append-only: DELETE refused'); END",
        ],
        [
            f"DROP TRIGGER IF EXISTS {RATINGS}_no_update",
            f"DROP TRIGGER IF EXISTS {RATINGS}_no_delete",
        ],
    )


def upgrade():
    op.create_table('monitoring_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('kind', _enum('monitoring_activity_kind', 'visit', 'spot_check', 'audit'), nullable=False),
    sa.Column('status', _enum('monitoring_activity_status', 'planned', 'done'), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('assignee', sa.String(length=200), nullable=False),
    sa.Column('planned_by_id', sa.Integer(), nullable=True),
    sa.Column('planned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('staff_notes', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_monitoring_activities_grant_id_grants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['planned_by_id'], ['users.id'], name=op.f('fk_monitoring_activities_planned_by_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_monitoring_activities_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_activities'))
    )
    with op.batch_alter_table('monitoring_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_activities_grant_id'), ['grant_id'], unique=False)

    op.create_table('monitoring_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('severity', _enum('monitoring_finding_severity', 'low', 'medium', 'high'), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['monitoring_activities.id'], name=op.f('fk_monitoring_findings_activity_id_monitoring_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_monitoring_findings_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_findings'))
    )
    with op.batch_alter_table('monitoring_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_findings_activity_id'), ['activity_id'], unique=False)

    op.create_table('monitoring_recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', _enum('monitoring_recommendation_status', 'open', 'responded', 'closed'), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('responded_by_id', sa.Integer(), nullable=True),
    sa.Column('reopen_reason', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_monitoring_recommendations_closed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_monitoring_recommendations_created_by_id_users')),
    sa.ForeignKeyConstraint(['finding_id'], ['monitoring_findings.id'], name=op.f('fk_monitoring_recommendations_finding_id_monitoring_findings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_monitoring_recommendations_grant_id_grants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responded_by_id'], ['users.id'], name=op.f('fk_monitoring_recommendations_responded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_recommendations'))
    )
    with op.batch_alter_table('monitoring_recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_recommendations_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_recommendations_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index('ix_monitoring_recommendations_follow_up', ['status', 'due_on'], unique=False)

    op.create_table(RATINGS,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('proposed', _rating('partner_rating_proposed'), nullable=False),
    sa.Column('previous', _rating('partner_rating_previous'), nullable=True),
    sa.Column('confirmed', _rating('partner_rating_confirmed'), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_partner_ratings_decided_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_partner_ratings_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_ratings'))
    )
    with op.batch_alter_table(RATINGS, schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_ratings_organisation_id'), ['organisation_id'], unique=False)
    for statement in _append_only_sql(op.get_bind().dialect.name)[0]:
        op.execute(statement)


def downgrade():
    for statement in _append_only_sql(op.get_bind().dialect.name)[1]:
        op.execute(statement)
    with op.batch_alter_table(RATINGS, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_ratings_organisation_id'))
    op.drop_table(RATINGS)
    with op.batch_alter_table('monitoring_recommendations', schema=None) as batch_op:
        batch_op.drop_index('ix_monitoring_recommendations_follow_up')
        batch_op.drop_index(batch_op.f('ix_monitoring_recommendations_grant_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_recommendations_finding_id'))
    op.drop_table('monitoring_recommendations')
    with op.batch_alter_table('monitoring_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_findings_activity_id'))
    op.drop_table('monitoring_findings')
    with op.batch_alter_table('monitoring_activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_activities_grant_id'))
    op.drop_table('monitoring_activities')
