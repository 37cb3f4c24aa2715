"""The database folds text exactly as Python does, so what matches is what gets marked."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.platform.extensions import db
from app.search.text import fold, fold_spans

SAMPLES = [
    "Association Crème du Sénégal",
    "ÉCOLE Ñandú Łódź Straße",
    "جَمْعِيَّة الأَمَل إِلى مدرسةٌ",
    "Общество Ёлка",
    "\uff26\uff35\uff2c\uff2c width \ufb01",  # full-width letters, a ligature
    "北京 救助 站",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_the_database_folds_as_python_does(app, text):
    assert db.session.execute(sa.select(sa.func.search_fold(text))).scalar_one() == fold(text)


def test_accents_case_and_arabic_short_vowels_do_not_count():
    assert fold("Crème") == fold("CREME")
    assert fold("جَمْعِيَّة الأَمَل") == fold("جمعيه الامل")


def test_marks_land_on_the_original_letters():
    text = "Association Crème du Sénégal"
    assert [text[a:b] for a, b in fold_spans(text, ["creme", "senegal"])] == ["Crème", "Sénégal"]
