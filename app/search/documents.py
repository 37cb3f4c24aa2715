"""The folded text each searched table keeps, so a search reads it instead of folding rows.

Each is a generated column (migration a4c6e8f0b2d1) the database computes from the record's own
columns with ``search_fold`` (text.py) whenever the row is written: STORED on PostgreSQL, where
the trigram (pg_trgm) GIN indexes are on these columns, so neither the index's recheck nor the
ranking folds anything at query time; VIRTUAL on SQLite (whose ALTER TABLE cannot add a stored
column), folded when read by the function the application installs on each connection.

The columns belong to search, so they are added here to the other areas' tables and never
mapped on their models: loading an application does not load its document, and no form or
service can write one. One caution for later migrations: SQLite cannot copy a generated column
in a table rebuild (``batch_alter_table``) of these tables; drop it first and add it back.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement

from app.accounts.models import Organisation
from app.applications.models import Application, BudgetLine, WorkplanActivity
from app.donations.models import Donor, Gift
from app.grants.models import Grant
from app.search.text import SQL_FUNCTION

Text = ColumnElement[Any] | QueryableAttribute[Any]

# Literals, not bound parameters, so the expressions compile as the migration spells them.
_EMPTY = sa.literal_column("''", sa.Text)
_SPACE = sa.literal_column("' '", sa.Text)


def document(*columns: Text) -> ColumnElement[str]:
    """Several columns as one text, folded by the database."""
    joined: ColumnElement[str] = sa.func.coalesce(columns[0], _EMPTY)
    for column in columns[1:]:
        joined = joined.op("||")(_SPACE).op("||")(sa.func.coalesce(column, _EMPTY))
    return getattr(sa.func, SQL_FUNCTION)(joined)


def _stored(model: Any, name: str, expression: ColumnElement[str]) -> sa.Column[str]:
    table = model.__table__
    assert isinstance(table, sa.Table)
    column = sa.Column(name, sa.Text, sa.Computed(expression, persisted=True))
    table.append_column(column)
    return column


def _indexed(model: Any, expression: ColumnElement[str]) -> sa.Column[str]:
    """The record's search document, with its trigram index (made on PostgreSQL only, by the
    migration, where pg_trgm may be installed)."""
    column = _stored(model, "search_document", expression)
    model.__table__.append_constraint(
        sa.Index(
            f"ix_search_{model.__tablename__}",
            # Labelled, an expression to Alembic: its comparison of models and migrations then
            # leaves the index out on SQLite, where the migration makes none.
            column.label("document"),
            postgresql_using="gin",
            postgresql_ops={"document": "gin_trgm_ops"},
        )
    )
    return column


APPLICATION = _indexed(
    Application,
    document(
        Application.title,
        Application.summary,
        Application.locations,
        Application.target_groups_notes,
        sa.cast(Application.countries, sa.Text),
    ),
)
# The rank reads the title alone.
APPLICATION_TITLE = _stored(Application, "search_title", document(Application.title))
ORGANISATION = _indexed(Organisation, document(Organisation.name))
GRANT = _indexed(Grant, document(Grant.reference, Grant.title))
DONOR = _indexed(Donor, document(Donor.name))
GIFT = _indexed(Gift, document(Gift.donor_name))
ACTIVITY = _indexed(WorkplanActivity, document(WorkplanActivity.description))
BUDGET_LINE = _indexed(BudgetLine, document(BudgetLine.description))
