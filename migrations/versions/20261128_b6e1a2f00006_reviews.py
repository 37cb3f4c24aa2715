"""reviews: screening, reviewer assignments and conflict declarations, reviews and scores,
panel recommendations, Board meetings, decisions and votes, and in-app notifications

Revision ID: b6e1a2f00006
Revises: a904f51a15ca
Create Date: 2026-11-28 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from app.platform.db import append_only_trigger_sql

# A Board decision is final once recorded: the database refuses to change or delete it.
APPEND_ONLY = ("board_decisions", "board_votes")


# revision identifiers, used by Alembic.
revision = 'b6e1a2f00006'
down_revision = 'a904f51a15ca'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('review_assigned', 'review_reminder', 'reviewer_recused', 'reviews_complete', 'board_pack_ready', 'information_requested', 'screening_outcome', 'board_decision', 'attention_needed', name='notification_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)
    op.create_table('board_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('quorum', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='meeting_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('quorum >= 1', name=op.f('ck_board_meetings_quorum_positive')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_board_meetings_call_id_calls')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_board_meetings_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_meetings'))
    )
    with op.batch_alter_table('board_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_meetings_call_id'), ['call_id'], unique=False)
    op.create_table('board_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('approved', 'reserve', 'rejected', name='decision_outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('approved_amount', sa.BigInteger(), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(outcome = 'approved' AND approved_amount > 0) OR (outcome <> 'approved' AND approved_amount IS NULL)", name=op.f('ck_board_decisions_amount_only_when_approved')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_board_decisions_application_id_applications')),
    sa.ForeignKeyConstraint(['meeting_id'], ['board_meetings.id'], name=op.f('fk_board_decisions_meeting_id_board_meetings')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_board_decisions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_decisions'))
    )
    with op.batch_alter_table('board_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_decisions_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_decisions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_decisions_outcome'), ['outcome'], unique=False)
    op.create_table('board_meeting_members',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['board_meetings.id'], name=op.f('fk_board_meeting_members_meeting_id_board_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_board_meeting_members_user_id_users')),
    sa.PrimaryKeyConstraint('meeting_id', 'user_id', name=op.f('pk_board_meeting_members'))
    )
    op.create_table('panel_recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('recommended', 'not_recommended', name='panel_outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('weighted_score', sa.Numeric(precision=6, scale=3), nullable=True),
    sa.Column('key_risks', sa.Text(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_panel_recommendations_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_panel_recommendations_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_recommendations'))
    )
    with op.batch_alter_table('panel_recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_recommendations_application_id'), ['application_id'], unique=False)
    op.create_table('review_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('awaiting_declaration', 'active', 'recused', 'removed', name='assignment_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('has_conflict', sa.Boolean(), nullable=True),
    sa.Column('conflict_description', sa.Text(), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_review_assignments_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_review_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_review_assignments_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_assignments')),
    sa.UniqueConstraint('application_id', 'reviewer_id', name=op.f('uq_review_assignments_application_id'))
    )
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_assignments_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_assignments_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_assignments_status'), ['status'], unique=False)
    op.create_table('screenings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('eligible', 'ineligible', 'info_requested', name='screening_outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('screened_by_id', sa.Integer(), nullable=True),
    sa.Column('screened_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_screenings_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['screened_by_id'], ['users.id'], name=op.f('fk_screenings_screened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screenings'))
    )
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screenings_application_id'), ['application_id'], unique=False)
    op.create_table('board_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('vote', sa.Enum('approve', 'reserve', 'reject', 'abstain', 'recused', name='board_vote', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['board_decisions.id'], name=op.f('fk_board_votes_decision_id_board_decisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_board_votes_member_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_votes')),
    sa.UniqueConstraint('decision_id', 'member_id', name=op.f('uq_board_votes_decision_id'))
    )
    with op.batch_alter_table('board_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_votes_decision_id'), ['decision_id'], unique=False)
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', name='review_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recommendation', sa.Enum('fund', 'fund_with_conditions', 'do_not_fund', name='review_recommendation', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_reviews_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assignment_id'], ['review_assignments.id'], name=op.f('fk_reviews_assignment_id_review_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_reviews_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_reviews_assignment_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_status'), ['status'], unique=False)
    op.create_table('review_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.CheckConstraint('score >= 0 AND score <= 5', name=op.f('ck_review_scores_score_in_range')),
    sa.ForeignKeyConstraint(['criterion_id'], ['rubric_criteria.id'], name=op.f('fk_review_scores_criterion_id_rubric_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_scores_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_scores')),
    sa.UniqueConstraint('review_id', 'criterion_id', name=op.f('uq_review_scores_review_id'))
    )
    with op.batch_alter_table('review_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_scores_criterion_id'), ['criterion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_scores_review_id'), ['review_id'], unique=False)

    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for statement in append_only_trigger_sql(dialect, table)[0]:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for statement in append_only_trigger_sql(dialect, table)[1]:
            op.execute(statement)
    with op.batch_alter_table('review_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_scores_review_id'))
        batch_op.drop_index(batch_op.f('ix_review_scores_criterion_id'))
    op.drop_table('review_scores')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_status'))
        batch_op.drop_index(batch_op.f('ix_reviews_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_application_id'))
    op.drop_table('reviews')
    with op.batch_alter_table('board_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_votes_decision_id'))
    op.drop_table('board_votes')
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screenings_application_id'))
    op.drop_table('screenings')
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_assignments_status'))
        batch_op.drop_index(batch_op.f('ix_review_assignments_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_review_assignments_application_id'))
    op.drop_table('review_assignments')
    with op.batch_alter_table('panel_recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_recommendations_application_id'))
    op.drop_table('panel_recommendations')
    op.drop_table('board_meeting_members')
    with op.batch_alter_table('board_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_decisions_outcome'))
        batch_op.drop_index(batch_op.f('ix_board_decisions_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_board_decisions_application_id'))
    op.drop_table('board_decisions')
    with op.batch_alter_table('board_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_meetings_call_id'))
    op.drop_table('board_meetings')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))
    op.drop_table('notifications')
