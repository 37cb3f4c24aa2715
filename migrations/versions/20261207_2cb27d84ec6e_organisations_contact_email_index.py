"""organisations' contact e-mail indexed as compared (lower-cased), for possible duplicates

The organisations list flags the NGOs that share a contact e-mail (whatever its case) with
another NGO, and filters on it: without an index each organisation's check read every other
organisation, so the list's time grew with the square of the number of NGOs. The check is now
one lookup in this index per organisation of the page (or of the filter).

Revision ID: 2cb27d84ec6e
Revises: a4c6e8f0b2d1
Create Date: 2026-12-07 11:48:01.515462

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "2cb27d84ec6e"
down_revision = "a4c6e8f0b2d1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_organisations_contact_email_lower",
        "organisations",
        [sa.text("lower(contact_email)")],
    )


def downgrade():
    op.drop_index("ix_organisations_contact_email_lower", table_name="organisations")
