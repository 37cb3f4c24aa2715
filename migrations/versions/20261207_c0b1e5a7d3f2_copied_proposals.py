"""copied proposals: each submitted application's MinHash signature, its LSH band hashes
(indexed for the look-up of likely copies), and the pairs found to share long passages

Revision ID: c0b1e5a7d3f2
Revises: 8b3c1d2e4f50
Create Date: 2026-12-07 02:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c0b1e5a7d3f2'
down_revision = '8b3c1d2e4f50'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "copy_signatures",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=60), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_copy_signatures_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_copy_signatures")),
    )
    op.create_table(
        "copy_bands",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.Column("band_hash", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["copy_signatures.application_id"],
            name=op.f("fk_copy_bands_application_id_copy_signatures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("application_id", "band", name=op.f("pk_copy_bands")),
    )
    op.create_index("ix_copy_bands_hash", "copy_bands", ["band_hash", "application_id"])
    op.create_table(
        "copy_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("first_share", sa.Float(), nullable=False),
        sa.Column("second_share", sa.Float(), nullable=False),
        sa.Column("passages", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("first_id < second_id", name=op.f("ck_copy_flags_ordered_pair")),
        sa.CheckConstraint(
            "first_share BETWEEN 0 AND 1", name=op.f("ck_copy_flags_first_share_fraction")
        ),
        sa.CheckConstraint(
            "second_share BETWEEN 0 AND 1", name=op.f("ck_copy_flags_second_share_fraction")
        ),
        sa.ForeignKeyConstraint(
            ["first_id"],
            ["applications.id"],
            name=op.f("fk_copy_flags_first_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["second_id"],
            ["applications.id"],
            name=op.f("fk_copy_flags_second_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_copy_flags")),
        sa.UniqueConstraint("first_id", "second_id", name=op.f("uq_copy_flags_first_id")),
    )
    op.create_index("ix_copy_flags_second_id", "copy_flags", ["second_id"])


def downgrade():
    op.drop_index("ix_copy_flags_second_id", table_name="copy_flags")
    op.drop_table("copy_flags")
    op.drop_index("ix_copy_bands_hash", table_name="copy_bands")
    op.drop_table("copy_bands")
    op.drop_table("copy_signatures")
