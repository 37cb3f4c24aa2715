"""call questions: the fund manager's own questions on a call (text, choice, number, file;
required or not; shown when an earlier answer calls for it) and the applications' answers
(decision 0116)

Revision ID: b5d1e7a3c902
Revises: a4c81e27b5d9
Create Date: 2026-12-07 05:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5d1e7a3c902"
down_revision = "a4c81e27b5d9"
branch_labels = None
depends_on = None


def _utc():
    # app.platform.db.UTCDateTime is a TypeDecorator over a timezone-aware DateTime.
    return sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "call_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "text",
                "choice",
                "number",
                "file",
                name="question_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("wording", sa.JSON(), nullable=False),
        sa.Column("help_text", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("max_words", sa.Integer(), nullable=True),
        sa.Column("min_value", sa.Numeric(24, 6), nullable=True),
        sa.Column("max_value", sa.Numeric(24, 6), nullable=True),
        sa.Column("condition_question_id", sa.Integer(), nullable=True),
        sa.Column("condition_value", sa.String(length=40), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.CheckConstraint(
            "max_words IS NULL OR max_words > 0", name=op.f("ck_call_questions_max_words_positive")
        ),
        sa.CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value",
            name=op.f("ck_call_questions_min_not_above_max"),
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_call_questions_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["condition_question_id"],
            ["call_questions.id"],
            name=op.f("fk_call_questions_condition_question_id_call_questions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_questions")),
    )
    op.create_index(op.f("ix_call_questions_call_id"), "call_questions", ["call_id"])
    op.create_table(
        "question_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("choice", sa.String(length=40), nullable=True),
        sa.Column("number", sa.Numeric(24, 6), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("storage_key", sa.String(length=64), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_question_answers_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["call_questions.id"],
            name=op.f("fk_question_answers_question_id_call_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_question_answers_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_answers")),
        sa.UniqueConstraint(
            "application_id",
            "question_id",
            name=op.f("uq_question_answers_application_id"),
        ),
        sa.UniqueConstraint("storage_key", name=op.f("uq_question_answers_storage_key")),
    )
    op.create_index(
        op.f("ix_question_answers_application_id"), "question_answers", ["application_id"]
    )
    op.create_index(op.f("ix_question_answers_question_id"), "question_answers", ["question_id"])


def downgrade():
    op.drop_index(op.f("ix_question_answers_question_id"), table_name="question_answers")
    op.drop_index(op.f("ix_question_answers_application_id"), table_name="question_answers")
    op.drop_table("question_answers")
    op.drop_index(op.f("ix_call_questions_call_id"), table_name="call_questions")
    op.drop_table("call_questions")
