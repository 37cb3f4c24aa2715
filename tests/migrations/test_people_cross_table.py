"""The migration to one cross table of people (e5a7c9b1d3f4) keeps each old report's people:
exact cells where the old tables allow it, "not recorded" otherwise, never invented."""

from __future__ import annotations

import importlib.util
from pathlib import Path

MIGRATION = (
    Path(__file__).resolve().parents[2]
    / "migrations/versions/20261207_e5a7c9b1d3f4_people_cross_table.py"
)


def _cells():
    spec = importlib.util.spec_from_file_location("people_cross_table", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._cells


def test_one_form_of_exploitation_places_every_sex_and_age_count_exactly():
    cells = _cells()({"female.adult": 12, "female.child": 3}, {"sexual_exploitation": 15})
    assert cells == {
        ("sexual_exploitation", "female", "adult"): 12,
        ("sexual_exploitation", "female", "child"): 3,
    }


def test_one_sex_and_age_group_places_every_form_exactly():
    cells = _cells()({"male.adult": 9}, {"forced_labour": 5, "forced_begging": 4})
    assert cells == {("forced_labour", "male", "adult"): 5, ("forced_begging", "male", "adult"): 4}


def test_tables_that_disagree_or_cannot_be_crossed_keep_the_people_as_not_recorded():
    # The case: 15 by sex and age, 40 by exploitation. The 15 people stay.
    disagree = _cells()({"female.adult": 12, "female.child": 3}, {"forced_labour": 40})
    assert disagree == {
        ("not_recorded", "female", "adult"): 12,
        ("not_recorded", "female", "child"): 3,
    }
    ambiguous = _cells()(
        {"female.adult": 10, "male.adult": 5}, {"forced_labour": 7, "sexual_exploitation": 8}
    )
    assert sum(ambiguous.values()) == 15
    assert {form for form, _, _ in ambiguous} == {"not_recorded"}
    assert _cells()({}, {"forced_labour": 4}) == {}
