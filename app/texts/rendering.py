"""Checking and rendering staff-written texts in a sandbox.

Texts are Jinja templates run by a ``SandboxedEnvironment``: no globals (no ``range``,
``cycler``, ``lipsum``...), no access to attributes the sandbox deems unsafe (``__class__``,
``mro``...), ``StrictUndefined`` so a missing value fails instead of printing nothing, and
string or list repetition and powers capped so a template cannot fill the memory. The values
given are plain strings. Output is plain text: the page that shows a letter escapes it whole
(staff cannot write HTML into a letter), an e-mail is sent as text/plain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from app.platform.errors import N_

MAX_SOURCE_LENGTH = 20_000
MAX_OUTPUT_LENGTH = 100_000
_MAX_REPEAT = 1_000


class _TextSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("powers are not allowed in a text")
        sequences = (str, list, tuple)
        if isinstance(left, sequences) or isinstance(right, sequences):
            count = right if isinstance(left, sequences) else left
            if isinstance(count, int) and count > _MAX_REPEAT:
                raise SecurityError("repetition too long")
        return super().call_binop(context, operator, left, right)


def _environment() -> SandboxedEnvironment:
    environment = _TextSandbox(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
    )
    environment.globals.clear()
    return environment


SANDBOX = _environment()


@dataclass(frozen=True)
class Problem:
    """Why a text was refused: an English msgid with its parameters, translated by the page."""

    message: str
    params: dict[str, Any]


def tag(name: str) -> str:
    """How a placeholder is written in a text: ``{{ name }}``."""
    return "{{ " + name + " }}"


def check(
    source: str,
    *,
    allowed: dict[str, str],
    sample: dict[str, str],
    required: tuple[str, ...] = (),
) -> list[Problem]:
    """What is wrong with ``source`` (nothing: an empty list).

    A syntax error is given with its line; a placeholder not in ``allowed`` with the list of the
    valid ones; then the text is rendered with the sample values, which catches what the sandbox
    refuses (an unsafe attribute, a runaway repetition) and any other error when it runs.
    """
    if len(source) > MAX_SOURCE_LENGTH:
        return [Problem(N_("At most %(count)d characters."), {"count": MAX_SOURCE_LENGTH})]
    try:
        parsed = SANDBOX.parse(source)
    except TemplateSyntaxError as error:
        return [
            Problem(
                N_("Line %(line)d: %(error)s"),
                {"line": error.lineno or 1, "error": error.message or str(error)},
            )
        ]
    valid = ", ".join(tag(name) for name in sorted(allowed))
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(allowed))
    if unknown:
        return [
            Problem(
                N_("Unknown placeholder %(names)s. Valid placeholders: %(valid)s."),
                {"names": ", ".join(tag(name) for name in unknown), "valid": valid},
            )
        ]
    missing = [name for name in required if name not in meta.find_undeclared_variables(parsed)]
    if missing:
        return [
            Problem(
                N_("This text must include %(names)s."),
                {"names": ", ".join(tag(name) for name in missing)},
            )
        ]
    try:
        render(source, sample)
    except TemplateError as error:
        return [Problem(N_("This text cannot be shown: %(error)s"), {"error": _short(error)})]
    return []


def render(source: str, values: dict[str, str]) -> str:
    """The text with its placeholders filled in; raises jinja2's TemplateError when it cannot."""
    try:
        output = SANDBOX.from_string(source).render(**values)
    except (TypeError, ValueError, ArithmeticError, OverflowError, MemoryError) as error:
        raise TemplateError(str(error)) from error
    if len(output) > MAX_OUTPUT_LENGTH:
        raise SecurityError("the text is too long once filled in")
    return output


def _short(error: Exception) -> str:
    return (getattr(error, "message", None) or str(error))[:300]
