"""search stored documents: each searched table keeps its folded text in a generated column

Search folded the searchable text of every candidate row at query time (search_fold: NFKD, a
regular expression, a translation), in the trigram index's recheck and again three times per
match to rank it; at the large scale a common word cost hundreds of milliseconds. The folded
text is now a generated column (``search_document``, and ``search_title`` for applications,
whose rank reads the title alone), computed by the database when a row is written: STORED on
PostgreSQL, where the trigram indexes move onto these columns; VIRTUAL on SQLite (its ALTER TABLE
cannot add a stored one), where it is folded when read, as before, by the search_fold function
the application installs on each connection. The expressions are app/search/documents.py's,
spelled as they compile.

Revision ID: a4c6e8f0b2d1
Revises: c3f0a9d2e417
Create Date: 2026-12-07 11:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a4c6e8f0b2d1"
down_revision = "c3f0a9d2e417"
branch_labels = None
depends_on = None


def _document(*columns):
    joined = f"coalesce({columns[0]}, '')"
    for column in columns[1:]:
        joined = f"({joined} || ' ') || coalesce({column}, '')"
    return f"search_fold({joined})"


APPLICATIONS = _document(
    "title", "summary", "locations", "target_groups_notes", "CAST(countries AS TEXT)"
)
# (table, column, expression); the column named search_document carries the trigram index.
COLUMNS = (
    ("applications", "search_document", APPLICATIONS),
    ("applications", "search_title", _document("title")),
    ("organisations", "search_document", _document("name")),
    ("grants", "search_document", _document("reference", "title")),
    ("donors", "search_document", _document("name")),
    ("gifts", "search_document", _document("donor_name")),
    ("workplan_activities", "search_document", _document("description")),
    ("budget_lines", "search_document", _document("description")),
)
# The expression indexes of dd0cfd610248, 291399288dcc and 29ee3b0c3f86, restored on downgrade.
EXPRESSION_INDEXES = {
    "applications": APPLICATIONS,
    "organisations": _document("name"),
    "grants": _document("reference", "title"),
    "donors": _document("name"),
    "gifts": _document("donor_name"),
    "workplan_activities": _document("description"),
    "budget_lines": _document("description"),
}


def _has_trigrams():
    bind = op.get_bind()
    return (
        bind.dialect.name == "postgresql"
        and bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar()
    )


def upgrade():
    stored = op.get_bind().dialect.name == "postgresql"
    for table, column, expression in COLUMNS:
        op.add_column(
            table,
            sa.Column(column, sa.Text(), sa.Computed(sa.text(expression), persisted=stored)),
        )
    if not _has_trigrams():
        return
    for table in EXPRESSION_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS ix_search_{table}")
        op.execute(
            f"CREATE INDEX ix_search_{table} ON {table} USING gin (search_document gin_trgm_ops)"
        )


def downgrade():
    if _has_trigrams():
        for table, expression in EXPRESSION_INDEXES.items():
            op.execute(f"DROP INDEX IF EXISTS ix_search_{table}")
            op.execute(
                f"CREATE INDEX ix_search_{table} ON {table} USING gin (({expression}) gin_trgm_ops)"
            )
    for table, column, _expression in reversed(COLUMNS):
        op.drop_column(table, column)
