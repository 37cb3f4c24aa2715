"""published open-data files (the IATI activity and organisation files), kept as made, with the
fingerprint of the data they were made from

Revision ID: 5e1d0a7c3b21
Revises: a9a6cec975cd
Create Date: 2026-12-07 02:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e1d0a7c3b21'
down_revision = 'a9a6cec975cd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "published_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=80), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_files")),
        sa.UniqueConstraint("name", name=op.f("uq_published_files_name")),
    )


def downgrade():
    op.drop_table("published_files")
