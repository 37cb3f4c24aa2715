"""search countries and gifts: the applications' trigram index also covers their countries, and
gifts (the largest table searched) get one on the giver's name

An application's countries are part of its folded document (as the JSON text ["ke", "ug"]), so
a country named in a query is found through the same index instead of a scan of every
application. Gifts are searched by the giver's name. PostgreSQL only, and only where pg_trgm is
installed (see dd0cfd610248).

Revision ID: 291399288dcc
Revises: 1b258cb6409f
Create Date: 2026-12-07 00:22:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '291399288dcc'
down_revision = '1b258cb6409f'
branch_labels = None
depends_on = None


def _document(table, *columns):
    """Spelled exactly as app/search/services.py's document() compiles, or the planner
    would not use the index."""
    joined = f"coalesce({columns[0]}, '')"
    for column in columns[1:]:
        joined = f"({joined} || ' ') || coalesce({column}, '')"
    return f"search_fold({joined})"


APPLICATION_COLUMNS = ('title', 'summary', 'locations', 'target_groups_notes')
APPLICATIONS_BEFORE = _document('applications', *APPLICATION_COLUMNS)
APPLICATIONS_AFTER = _document('applications', *APPLICATION_COLUMNS, 'CAST(countries AS TEXT)')
GIFTS = _document('gifts', 'donor_name')


def _has_trigrams():
    bind = op.get_bind()
    return bind.dialect.name == 'postgresql' and bind.execute(
        sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    ).scalar()


def _replace_applications_index(expression):
    op.execute('DROP INDEX IF EXISTS ix_search_applications')
    op.execute(
        'CREATE INDEX ix_search_applications ON applications'
        f' USING gin (({expression}) gin_trgm_ops)'
    )


def upgrade():
    if not _has_trigrams():
        return
    _replace_applications_index(APPLICATIONS_AFTER)
    op.execute(f'CREATE INDEX ix_search_gifts ON gifts USING gin (({GIFTS}) gin_trgm_ops)')


def downgrade():
    if not _has_trigrams():
        return
    op.execute('DROP INDEX IF EXISTS ix_search_gifts')
    _replace_applications_index(APPLICATIONS_BEFORE)
