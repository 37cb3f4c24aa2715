"""The public figures: small counts suppressed in the domain, donors named only by choice."""

from __future__ import annotations

from app.reporting import suppression
from app.reporting.transparency import transparency
from tests.grants_support import USD
from tests.reporting_support import build_scenario


def test_counts_below_five_are_suppressed():
    assert suppression.suppress(0) == 0
    assert suppression.suppress(4) is None
    assert suppression.suppress(5) == 5
    assert suppression.public_value(None) == "<5"


def test_a_single_hidden_cell_hides_the_next_smallest_too():
    cells = {"female.adult": 12, "female.child": 3, "male.adult": 9, "male.child": 0}
    assert suppression.suppress_table(cells) == {
        "female.adult": 12,
        "female.child": None,
        "male.adult": None,
        "male.child": 0,
    }


def test_two_hidden_cells_are_enough():
    cells = {"a": 1, "b": 2, "c": 30}
    assert suppression.suppress_table(cells) == {"a": None, "b": None, "c": 30}


def test_the_public_figures_hide_small_counts(app):
    build_scenario()
    public = transparency()
    # 12 women and 3 girls: the 3 is hidden, and so is the next smallest non-zero cell (12),
    # or the total would give it away.
    assert public.people.sex_age["female.child"] is None
    assert public.people.sex_age["female.adult"] is None
    assert public.people.sex_age["male.adult"] == 0
    assert public.people.total == 15
    assert public.people.exploitation["sexual_exploitation"] == 15
    shown = public.people.sex_age.values()
    assert all(value is None or value == 0 or value >= 5 for value in shown)


def test_the_public_figures_name_only_public_donors(app):
    build_scenario()
    public = transparency()
    assert [line.name for line in public.donors.lines] == ["Norway", "Ada Giver"]
    assert public.donors.others == 50_00
    assert public.received == 60_000 * USD + 250_00 + 50_00
    assert public.grants.grants == 1
    assert [(c.country, c.amount) for c in public.countries] == [("NG", 10_000 * USD)]
