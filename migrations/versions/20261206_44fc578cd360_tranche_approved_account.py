"""tranche approved account: the grantee's bank account a tranche was approved for

Sending and recording a payment are refused once the grantee's account is another one. A
tranche approved before this column is given the account that was current when it was
approved (the bank account history says which), so one approved before a change of account
must be approved again too.

Revision ID: 44fc578cd360
Revises: 2d9892653fe9
Create Date: 2026-12-07 00:10:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "44fc578cd360"
down_revision = "2d9892653fe9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("grant_tranches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_account_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_grant_tranches_approved_account_id_bank_accounts"),
            "bank_accounts",
            ["approved_account_id"],
            ["id"],
        )
    op.execute(
        "UPDATE grant_tranches SET approved_account_id = ("
        " SELECT b.id FROM bank_accounts b JOIN grants g ON g.organisation_id = b.organisation_id"
        " WHERE g.id = grant_tranches.grant_id"
        " AND b.confirmed_at <= grant_tranches.approved_at"
        " AND (b.superseded_at IS NULL OR b.superseded_at > grant_tranches.approved_at))"
        " WHERE approved_at IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table("grant_tranches", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_grant_tranches_approved_account_id_bank_accounts"), type_="foreignkey"
        )
        batch_op.drop_column("approved_account_id")
