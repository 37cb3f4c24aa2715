"""token area scopes: a token or API client names the areas of the API it may use
(applications, grants, reviews, donations, finance) beside read and write (decision 0117)

The scopes columns grow to hold them; every token and client made before gets every area, so
none loses what it could do.

Revision ID: a4c81e27b5d9
Revises: a4c8e2f61b37
Create Date: 2026-12-07 05:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a4c81e27b5d9"
down_revision = "a4c8e2f61b37"
branch_labels = None
depends_on = None

AREAS = ("applications", "grants", "reviews", "donations", "finance")
TABLES = ("api_tokens", "oauth_clients")


def _rewrite(table, change):
    connection = op.get_bind()
    rows = connection.execute(sa.text(f"SELECT id, scopes FROM {table}")).all()  # noqa: S608
    for row_id, scopes in rows:
        connection.execute(
            sa.text(f"UPDATE {table} SET scopes = :scopes WHERE id = :id"),  # noqa: S608
            {"scopes": change(scopes), "id": row_id},
        )


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "scopes", existing_type=sa.String(length=50), type_=sa.String(length=200)
            )
        _rewrite(table, lambda scopes: " ".join(sorted(set(scopes.split()) | set(AREAS))))


def downgrade():
    for table in TABLES:
        _rewrite(table, lambda scopes: " ".join(s for s in scopes.split() if s not in AREAS))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "scopes", existing_type=sa.String(length=200), type_=sa.String(length=50)
            )
