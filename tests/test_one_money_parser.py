"""A rule a grep can hold: money typed by people is read in one place only.

``app/platform/typed_numbers.py`` reads text a person typed, in their language. Anywhere else,
turning form or request text straight into a number (``Decimal(form.x.data)``,
``to_minor(request.form[...])``, ``float(...)``) would bring back the defect where ``50,00``
became 5,000 dollars. This test reads the code and names the line that does it.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
NUMBER_MAKERS = {"Decimal", "to_minor", "float", "parse_rate"}
# Where typed text may become a number: the one parser (and money.py's machine format).
ALLOWED = {APP / "platform" / "typed_numbers.py", APP / "platform" / "money.py"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _reads_typed_text(node: ast.AST) -> bool:
    """True when the expression reaches into a request or a form field's text."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and inner.id == "request":
            return True
        if isinstance(inner, ast.Attribute) and inner.attr in {"data", "raw_data", "form"}:
            return True
    return False


def offending_calls(source: str) -> list[int]:
    """Lines where the value given to a number maker comes from a request or a form."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and _name(node.func) in NUMBER_MAKERS
        and node.args
        and _reads_typed_text(node.args[0])
    ]


def test_the_rule_catches_the_old_defect() -> None:
    assert offending_calls("to_minor(form.amount.data, 'USD')") == [1]
    assert offending_calls("Decimal(request.form.get('amount'))") == [1]
    assert offending_calls("float(self.rate.data)") == [1]
    assert offending_calls("read_amount(form.amount.data, currency='USD', locale='fr')") == []


def test_no_typed_money_is_parsed_outside_the_one_parser() -> None:
    found = []
    for path in sorted(APP.rglob("*.py")):
        if path in ALLOWED:
            continue
        found += [
            f"{path.relative_to(APP.parent)}:{line}" for line in offending_calls(path.read_text())
        ]
    assert found == [], "parse typed amounts with app.platform.typed_numbers: " + ", ".join(found)
