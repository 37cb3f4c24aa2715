"""CI's skip check (.ci/skips.py): only the allowed skips pass, each on its own database."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from tests.browser.conftest import RUN_ONCE
from tests.conftest import POSTGRES_ONLY
from tests.test_demo_scale import LARGE_ON_SQLITE_ONLY

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "skips.py"


def _skips() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_skips", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(path: Path, database: str, *skips: str) -> str:
    cases = "".join(
        f'<testcase classname="tests.t" name="test_{i}"><skipped message="{reason}"/></testcase>'
        for i, reason in enumerate(skips)
    )
    path.write_text(
        f'<testsuites><testsuite tests="{len(skips) + 1}" skipped="{len(skips)}">'
        f'<properties><property name="database" value="{database}"/></properties>'
        f'<testcase classname="tests.t" name="test_ran"/>{cases}</testsuite></testsuites>'
    )
    return str(path)


def test_the_skips_the_fixtures_write_are_the_ones_allowed():
    allowed = _skips().ALLOWED
    assert [prefix for prefix in allowed["sqlite"] if POSTGRES_ONLY.startswith(prefix)]
    assert [prefix for prefix in allowed["postgresql"] if RUN_ONCE.startswith(prefix)]
    assert [prefix for prefix in allowed["postgresql"] if LARGE_ON_SQLITE_ONLY.startswith(prefix)]


def test_allowed_skips_pass(tmp_path):
    sqlite = _report(tmp_path / "s.xml", "sqlite", POSTGRES_ONLY)
    postgres = _report(tmp_path / "p.xml", "postgresql", RUN_ONCE, LARGE_ON_SQLITE_ONLY)
    assert _skips().main(sqlite, postgres) == 0


def test_any_other_skip_fails_with_its_reason(tmp_path, capsys):
    sqlite = _report(tmp_path / "s.xml", "sqlite", "Redis does not answer")
    postgres = _report(tmp_path / "p.xml", "postgresql", POSTGRES_ONLY)
    assert _skips().main(sqlite, postgres) == 1
    errors = capsys.readouterr().err
    assert "skipped on sqlite: Redis does not answer" in errors
    assert f"skipped on postgresql: {POSTGRES_ONLY}" in errors


def test_a_run_on_the_wrong_database_or_empty_fails(tmp_path):
    sqlite = _report(tmp_path / "s.xml", "sqlite")
    assert _skips().main(sqlite, _report(tmp_path / "p.xml", "sqlite")) == 1
    empty = tmp_path / "e.xml"
    empty.write_text('<testsuites><testsuite tests="0" skipped="0"/></testsuites>')
    assert _skips().main(str(empty), sqlite) == 1
