"""A call's own questions (text, choice, number, file) and an application's answers to them.

Wording, help text and option labels are translatable like a call's title: a JSON object
``{locale: text}`` read through ``pick_translation`` (the call's default language, then any).
The rules import no application code (the applications' checks call these), so the answer's
link to its application is by table name only.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.calls.models import Call, pick_translation
from app.platform.db import Model, TimestampMixin, UTCDateTime, str_enum

# The languages of the interface (app/translations): wording may be given in each.
QUESTION_LANGUAGES = ("en", "fr", "es", "ar", "zh", "ru")


class QuestionKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    NUMBER = "number"
    FILE = "file"


class CallQuestion(TimestampMixin, Model):
    """One question of a call, in the order the NGO reads them (``position``)."""

    __tablename__ = "call_questions"
    __table_args__ = (
        sa.CheckConstraint("max_words IS NULL OR max_words > 0", name="max_words_positive"),
        sa.CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value",
            name="min_not_above_max",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    required: Mapped[bool] = mapped_column(default=False)
    wording: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    help_text: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    # Choice questions: [{"key": "k1", "labels": {locale: text}}], in the order shown. The key
    # is what an answer keeps, so a label corrected later does not change the answers.
    options: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    max_words: Mapped[int | None] = mapped_column()
    min_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(24, 6))
    max_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(24, 6))
    # Shown only when this earlier choice question's answer is ``condition_value`` (an option key).
    condition_question_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("call_questions.id", ondelete="SET NULL")
    )
    condition_value: Mapped[str | None] = mapped_column(sa.String(40))

    call: Mapped[Call] = relationship()

    def wording_in(self, locale: str | None) -> str:
        return pick_translation(self.wording, locale)

    def help_in(self, locale: str | None) -> str:
        return pick_translation(self.help_text, locale)

    def option_keys(self) -> list[str]:
        return [str(option["key"]) for option in self.options]

    def option_label(self, key: str | None, locale: str | None) -> str:
        for option in self.options:
            if option["key"] == key:
                return pick_translation(option.get("labels"), locale)
        return key or ""

    def option_choices(self, locale: str | None) -> list[tuple[str, str]]:
        return [(str(o["key"]), pick_translation(o.get("labels"), locale)) for o in self.options]

    def __repr__(self) -> str:
        return f"<CallQuestion {self.id} {self.kind} of call {self.call_id}>"


class QuestionAnswer(TimestampMixin, Model):
    """An application's answer to one question: the value of the question's kind. A file's
    bytes are in private storage under ``storage_key`` (the upload checks of every document)."""

    __tablename__ = "question_answers"
    __table_args__ = (sa.UniqueConstraint("application_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("call_questions.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str | None] = mapped_column(sa.Text)
    choice: Mapped[str | None] = mapped_column(sa.String(40))
    number: Mapped[Decimal | None] = mapped_column(sa.Numeric(24, 6))
    filename: Mapped[str | None] = mapped_column(sa.String(200))
    content_type: Mapped[str | None] = mapped_column(sa.String(100))
    size_bytes: Mapped[int | None] = mapped_column()
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    storage_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    question: Mapped[CallQuestion] = relationship()

    @property
    def is_empty(self) -> bool:
        return (
            not (self.text or "").strip()
            and self.choice is None
            and self.number is None
            and self.storage_key is None
        )
