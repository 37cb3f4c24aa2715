"""search: the search_fold function on PostgreSQL, and trigram indexes on what is searched

search_fold(text) lowers, decomposes (NFKD) and drops combining marks, the same steps as
app/search/text.py's fold() (a test compares them). The trigram indexes (GIN, pg_trgm) make
"contains" matching an index scan on the large tables; where the role running the migration may
not create the pg_trgm extension, they are left out and search still works, scanning. SQLite
gets search_fold from the application on each connection: nothing to do here.

Revision ID: dd0cfd610248
Revises: 967b51e3efdc
Create Date: 2026-12-07 00:35:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'dd0cfd610248'
down_revision = '967b51e3efdc'
branch_labels = None
depends_on = None

FUNCTION = r"""CREATE OR REPLACE FUNCTION search_fold(value text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT translate(regexp_replace(normalize(lower(value), NFKD), '[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670-\u0670\u06d6-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]', '', 'g'), 'ىةـ', 'يه') $$"""


def _document(table, *columns):
    """Spelled exactly as app/search/services.py's document() compiles, or the planner
    would not use the index."""
    joined = f"coalesce({table}.{columns[0]}, '')"
    for column in columns[1:]:
        joined = f"({joined} || ' ') || coalesce({table}.{column}, '')"
    return f"search_fold({joined})"


INDEXES = {
    'ix_search_applications': (
        'applications',
        _document('applications', 'title', 'summary', 'locations', 'target_groups_notes'),
    ),
    'ix_search_organisations': ('organisations', _document('organisations', 'name')),
    'ix_search_grants': ('grants', _document('grants', 'reference', 'title')),
    'ix_search_donors': ('donors', _document('donors', 'name')),
}


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    op.execute(FUNCTION)
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    ).scalar() or _create_trigram_extension(bind)
    if not available:
        return
    for name, (table, expression) in INDEXES.items():
        op.execute(f'CREATE INDEX {name} ON {table} USING gin (({expression}) gin_trgm_ops)')


def _create_trigram_extension(bind):
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text('CREATE EXTENSION IF NOT EXISTS pg_trgm'))
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    for name in INDEXES:
        op.execute(f'DROP INDEX IF EXISTS {name}')
    op.execute('DROP FUNCTION IF EXISTS search_fold(text)')
    # The extension goes too, unless something else uses it (then DROP refuses, and it stays).
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text('DROP EXTENSION IF EXISTS pg_trgm'))
    except sa.exc.DBAPIError:
        savepoint.rollback()
    else:
        savepoint.commit()
