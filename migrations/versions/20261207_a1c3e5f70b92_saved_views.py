"""saved views of the staff lists, and the indexes the applications list sorts on

saved_views: one person's named query string (sort and filters) of one list (app/lists).
The applications list is keyset-paged on (sort column, id) for each column it sorts by
(decision 0100): (title, id), (requested_amount, id) and (status, id) make those sorts index
range scans like the (updated_at, id) one.

Revision ID: a1c3e5f70b92
Revises: 4fafd03a69d3
Create Date: 2026-12-07 02:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a1c3e5f70b92"
down_revision = "4fafd03a69d3"
branch_labels = None
depends_on = None

_SORT_INDEXES = {
    "ix_applications_title_sort": ["title", "id"],
    "ix_applications_requested_sort": ["requested_amount", "id"],
    "ix_applications_status_sort": ["status", "id"],
}


def upgrade():
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query_string", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_saved_views_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint("user_id", "list_name", "name", name="uq_saved_views_user_list_name"),
    )
    with op.batch_alter_table("saved_views", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_views_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("applications", schema=None) as batch_op:
        for name, columns in _SORT_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table("applications", schema=None) as batch_op:
        for name in _SORT_INDEXES:
            batch_op.drop_index(name)
    with op.batch_alter_table("saved_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_views_user_id"))
    op.drop_table("saved_views")
