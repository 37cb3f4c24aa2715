"""search proposal lines: trigram indexes on the work plan's activities and the budget's lines,
which search reads as words of the application

PostgreSQL only, and only where pg_trgm is installed (see dd0cfd610248).

Revision ID: 29ee3b0c3f86
Revises: 291399288dcc
Create Date: 2026-12-07 00:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '29ee3b0c3f86'
down_revision = '291399288dcc'
branch_labels = None
depends_on = None

# Spelled exactly as app/search/services.py's folded() compiles, or the planner would not use it.
INDEXES = {
    'ix_search_workplan_activities': 'workplan_activities',
    'ix_search_budget_lines': 'budget_lines',
}


def _has_trigrams():
    bind = op.get_bind()
    return bind.dialect.name == 'postgresql' and bind.execute(
        sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    ).scalar()


def upgrade():
    if not _has_trigrams():
        return
    for name, table in INDEXES.items():
        op.execute(
            f"CREATE INDEX {name} ON {table}"
            f" USING gin ((search_fold(coalesce(description, ''))) gin_trgm_ops)"
        )


def downgrade():
    if not _has_trigrams():
        return
    for name in INDEXES:
        op.execute(f'DROP INDEX IF EXISTS {name}')
