"""ledger: the ledger_refuse() function a posting statement calls to abort its transaction
when it commits in the same round trip and the batch was refused (PostgreSQL only)

Revision ID: f1c4f00010
Revises: e9b2f00009
Create Date: 2026-11-28 04:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f1c4f00010'
down_revision = 'e9b2f00009'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    # SQLSTATE LR001: the caller recognises it, reads the locked totals from DETAIL and names
    # the refusal; the error makes the pipelined COMMIT that follows a no-op.
    op.execute(
        """
        CREATE FUNCTION ledger_refuse(detail json) RETURNS boolean
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            RAISE EXCEPTION 'ledger posting refused' USING ERRCODE = 'LR001', DETAIL = detail::text;
        END
        $$
        """
    )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP FUNCTION ledger_refuse(json)")
