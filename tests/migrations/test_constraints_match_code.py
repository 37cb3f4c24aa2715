"""The rules the database enforces are the code's rules.

The test database is built by the migrations (tests/conftest.py), so each test here reads what
they made. An enum value added in code without a migration, a table declared append-only
without its triggers, or a new pair of incompatible roles the trigger does not know, fails here
instead of in production, where the database would refuse a row the application thinks valid
or accept one it thinks impossible.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

import pytest
import sqlalchemy as sa
from flask import Flask

from app.accounts.permissions import INCOMPATIBLE_ROLES
from app.platform.extensions import db
from app.screening.models import HOLDING_HIT_STATUSES

QUOTED = re.compile(r"'((?:[^']|'')*)'")


@dataclass(frozen=True)
class Schema:
    """What the migrated database holds, read once."""

    dialect: str
    # (table, constraint name) -> the constraint's SQL as the database gives it back
    checks: dict[tuple[str, str], str]
    # table -> the triggers on it: (name, SQL of the trigger and of the function it runs)
    triggers: dict[str, list[tuple[str, str]]]


def _postgresql_triggers(conn: sa.Connection) -> dict[str, list[tuple[str, str]]]:
    rows = conn.execute(
        sa.text(
            "SELECT c.relname, t.tgname,"
            " pg_get_triggerdef(t.oid) || ' ' || pg_get_functiondef(t.tgfoid)"
            " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
        )
    ).all()
    found: dict[str, list[tuple[str, str]]] = {}
    for table, name, sql in rows:
        found.setdefault(table, []).append((name, sql))
    return found


def _sqlite_triggers(conn: sa.Connection) -> dict[str, list[tuple[str, str]]]:
    rows = conn.execute(
        sa.text("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'")
    ).all()
    found: dict[str, list[tuple[str, str]]] = {}
    for table, name, sql in rows:
        found.setdefault(table, []).append((name, sql))
    return found


@pytest.fixture(scope="module")
def schema(app: Flask) -> Iterator[Schema]:
    with app.app_context(), db.engine.connect() as conn:
        inspector = sa.inspect(conn)
        checks = {
            (table, check["name"]): check["sqltext"]
            for table in inspector.get_table_names()
            for check in inspector.get_check_constraints(table)
            if check.get("name")
        }
        dialect = conn.dialect.name
        triggers = _postgresql_triggers(conn) if dialect == "postgresql" else _sqlite_triggers(conn)
        yield Schema(dialect, checks, triggers)


def _enum_columns() -> list[tuple[str, str, str, type[StrEnum]]]:
    """(table, column, CHECK constraint name, enum) of every column made by str_enum()."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            kind = column.type
            if isinstance(kind, sa.Enum) and kind.create_constraint:
                assert kind.enum_class is not None, f"{table.name}.{column.name}: no enum class"
                assert issubclass(kind.enum_class, StrEnum), f"{table.name}.{column.name}"
                # The naming convention of app/platform/db.py: ck_<table>_<enum name>.
                name = f"ck_{table.name}_{kind.name}"
                found.append((table.name, column.name, name, kind.enum_class))
    return found


def _listed_values(sql: str) -> list[str]:
    """The string literals of a CHECK constraint: the values it lets in."""
    return [value.replace("''", "'") for value in QUOTED.findall(sql)]


def test_the_code_declares_enum_columns(app: Flask) -> None:
    # Guards the next test against passing on nothing (the models are loaded by the app).
    columns = _enum_columns()
    assert len(columns) > 20
    assert ("user_roles", "role", "ck_user_roles_role") in [c[:3] for c in columns]


def test_each_enum_column_accepts_exactly_the_values_of_its_enum(
    app: Flask, schema: Schema
) -> None:
    mismatches = []
    for table, column, name, enum in _enum_columns():
        sql = schema.checks.get((table, name))
        if sql is None:
            mismatches.append(f"{table}.{column}: no CHECK constraint {name}")
            continue
        assert re.search(rf"\b{column}\b", sql), f"{name} is not about {table}.{column}: {sql}"
        in_code = sorted(member.value for member in enum)
        in_database = sorted(_listed_values(sql))
        if in_code != in_database:
            mismatches.append(
                f"{table}.{column} ({enum.__name__}): code {in_code}, database {in_database}"
            )
    # A value added to (or removed from) an enum needs a migration that rewrites the CHECK.
    assert mismatches == []


def _events(trigger_sql: str) -> set[str]:
    """The statements a trigger fires before: "BEFORE DELETE OR UPDATE ON ..."."""
    found = re.search(r"\bBEFORE (.+?) ON ", " ".join(trigger_sql.split()))
    return set(found.group(1).split(" OR ")) if found else set()


def _refused_statements(schema: Schema, table: str) -> set[str]:
    """The statements (UPDATE, DELETE) that a trigger on ``table`` refuses for every row."""
    refused: set[str] = set()
    for _name, sql in schema.triggers.get(table, []):
        flat = " ".join(sql.split())
        if schema.dialect == "postgresql":
            # The function raises unconditionally: no IF between its BEGIN and the RAISE.
            body = flat.split("$function$", 1)[-1]
            refuses = "FOR EACH ROW" in flat and re.search(r"BEGIN RAISE EXCEPTION", body)
        else:
            refuses = " WHEN " not in flat and "BEGIN SELECT RAISE(ABORT" in flat
        if refuses:
            refused |= _events(sql) & {"UPDATE", "DELETE"}
    return refused


def test_append_only_tables_have_their_triggers_and_only_they(app: Flask, schema: Schema) -> None:
    declared = {table.name for table in db.metadata.sorted_tables if table.info.get("append_only")}
    assert "audit_events" in declared and "ledger_transfers" in declared
    protected = {
        table
        for table in schema.triggers
        if _refused_statements(schema, table) == {"UPDATE", "DELETE"}
    }
    assert protected == declared


def _pairs_in(sql: str) -> set[frozenset[str]]:
    return {frozenset(_listed_values(listed)) for listed in re.findall(r"\bIN\s*(\([^)]*\))", sql)}


def test_the_roles_trigger_refuses_exactly_the_incompatible_pairs(schema: Schema) -> None:
    in_code = {frozenset(str(role) for role in pair) for pair in INCOMPATIBLE_ROLES}
    triggers = [
        (name, sql)
        for name, sql in schema.triggers.get("user_roles", [])
        if name.startswith("user_roles_kept_apart")
    ]
    # PostgreSQL: one trigger (INSERT OR UPDATE); SQLite: one for each.
    assert set().union(*(_events(sql) for _name, sql in triggers)) == {"INSERT", "UPDATE"}
    for name, sql in triggers:
        assert _pairs_in(sql) == in_code, f"{name} refuses {_pairs_in(sql)}, the code {in_code}"


def test_the_payment_hold_triggers_refuse_the_steps_for_the_holding_matches(schema: Schema) -> None:
    # Migration 5d1f0e7a9c21: a tranche approved or sent behind the services' back is refused
    # while a match holds its organisation or its bank account is in its hold. A later
    # batch_alter_table of grant_tranches on SQLite drops them; this says so.
    triggers = [
        (name, sql)
        for name, sql in schema.triggers.get("grant_tranches", [])
        if name.startswith("grant_tranches_") and name.endswith("_hold")
    ]
    expected = (
        {"grant_tranches_payment_hold"}
        if schema.dialect == "postgresql"
        else {"grant_tranches_sanctions_hold", "grant_tranches_bank_hold"}
    )
    assert {name for name, _sql in triggers} == expected
    holding = {status.value for status in HOLDING_HIT_STATUSES}
    sanctions = " ".join(sql for name, sql in triggers if "bank" not in name)
    assert "screening_hits" in sanctions
    assert holding in [
        set(_listed_values(listed)) for listed in re.findall(r"\bIN\s*(\([^)]*\))", sanctions)
    ]
    for _name, sql in triggers:
        # PostgreSQL gives the WHEN clause back as "= ANY (ARRAY[...])": the values are there.
        assert set(_listed_values(sql)) >= {"approved", "sent"}, sql
    if schema.dialect == "postgresql":
        # A new holding match locks its organisation, as the payment step does.
        assert [name for name, _sql in schema.triggers.get("screening_hits", [])] == [
            "screening_hits_lock_organisation"
        ]
