"""Copied proposals: a proposal reusing 60 % of another's text with words changed is flagged with
the right passages; an unrelated one is not; Chinese works; the NGO never learns of a flag."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.copies import text as words
from app.copies.models import CopyFlag, TextBand, TextSignature
from app.copies.reading import compare, flags_of, recent_flags
from app.copies.services import BANDS, proposal_text, sign_all
from app.platform.errors import PermissionDenied
from app.platform.extensions import db
from tests.applications_support import applicant_of, storage  # noqa: F401
from tests.copies_support import chinese, copy_of, proposal, submitted_with_text
from tests.factories import user_with


def _keys(text: str) -> list[str]:
    return [token.key for token in words.tokens(text)]


def test_a_copy_with_words_changed_shares_its_reused_passage():
    rng = random.Random(1)
    source = proposal(rng, 1500)
    copied, reused = copy_of(rng, source)
    found = words.overlap(_keys(copied), _keys(source))
    assert 0.5 <= found.first_share <= 0.65
    # The passages cover the reused run: most of its words lie inside them.
    copied_keys, reused_keys = _keys(copied), _keys(reused)
    start = next(
        i for i in range(len(copied_keys)) if copied_keys[i : i + len(reused_keys)] == reused_keys
    )
    run = set(range(start, start + len(reused_keys)))
    inside = {i for p in found.first for i in range(p.start, p.end)}
    assert len(inside & run) >= 0.85 * len(run)
    assert len(inside - run) <= 2 * words.GAP


def test_unrelated_proposals_share_nothing_long():
    rng = random.Random(2)
    found = words.overlap(_keys(proposal(rng, 1500)), _keys(proposal(rng, 1500)))
    assert found.first == [] and found.share == 0


def test_chinese_is_compared_character_by_character():
    rng = random.Random(3)
    source = chinese(rng, 1200)
    keep = source[200:920]  # 60 % of it
    changed = "".join(c if rng.random() >= 0.1 else "换" for c in keep)
    copied = chinese(rng, 240) + changed + chinese(rng, 240)
    assert all(len(token.key) == 1 for token in words.tokens(copied) if token.key != "换")
    found = words.overlap(_keys(copied), _keys(source))
    assert found.first_share >= 0.5
    assert words.overlap(_keys(chinese(rng, 1200)), _keys(source)).first == []


def test_normalised_text_matches_whatever_the_case_width_and_marks():
    fullwidth = "\uff21\uff22\uff23"  # A, B and C, full width
    assert _keys(f"{fullwidth} Straße") == _keys("abc STRASSE")
    # Arabic with its vowel marks stays one word each.
    assert len(words.tokens("مُساعَدة الضحايا")) == 2


@pytest.fixture
def pair(app, storage):  # noqa: F811
    rng = random.Random(4)
    source = proposal(rng, 900)
    copied, reused = copy_of(rng, source)
    original = submitted_with_text(storage, source, name="Dawn Shelter")
    copy = submitted_with_text(storage, copied, name="Sunrise Refuge")
    unrelated = submitted_with_text(storage, proposal(rng, 900), name="Harbour Aid")
    return original, copy, unrelated, reused


def test_submitting_a_copy_flags_the_pair_with_the_reused_passages(pair):
    original, copy, unrelated, reused = pair
    flags = db.session.execute(sa.select(CopyFlag)).scalars().all()
    assert [(f.first_id, f.second_id) for f in flags] == [(original.id, copy.id)]
    [flag] = flags
    assert 0.5 <= flag.share_of(copy.id) <= 0.7
    assert flag.share_of(original.id) >= 0.5
    # Every submitted application is signed, its bands indexed for the look-up.
    for application in (original, copy, unrelated):
        assert db.session.get(TextSignature, application.id) is not None
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(TextBand)
            .where(TextBand.application_id == copy.id)
        )
        == BANDS
    )
    # The passages shown side by side are the reused words.
    comparison = compare(user_with(Role.FUND_MANAGER), flag)
    shown = " ".join(second for _, _, second in comparison.pairs)
    reused_words = set(_keys(reused))
    assert len(set(_keys(shown)) & reused_words) >= 0.8 * len(set(_keys(shown)))
    assert sum(len(_keys(second)) for _, _, second in comparison.pairs) >= 0.8 * len(_keys(reused))
    assert any(s.passage for p in comparison.first.paragraphs for s in p)
    assert any(s.passage for p in comparison.second.paragraphs for s in p)
    # Audited as the system's finding, not as something the NGO did.
    [event] = (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "copy.flagged"))
        .scalars()
        .all()
    )
    assert event.actor_id is None and f"APP-{copy.id:05d}" in event.summary


def test_the_flag_is_for_the_fund_only(pair):
    original, copy, _, _ = pair
    manager = user_with(Role.FUND_MANAGER)
    assert len(flags_of(manager, copy)) == 1 and len(flags_of(manager, original)) == 1
    assert len(recent_flags(manager)) == 1
    [flag] = flags_of(manager, copy)
    for outsider in (
        applicant_of(copy.organisation),
        applicant_of(original.organisation),
        user_with(Role.REVIEWER),
        user_with(Role.FINANCE),
    ):
        assert flags_of(outsider, copy) == [] and flags_of(outsider, original) == []
        assert recent_flags(outsider) == []
        with pytest.raises(PermissionDenied):
            compare(outsider, flag)


def test_a_text_changed_and_checked_again_withdraws_the_flag(pair, app):
    from app.copies.services import check_application

    _, copy, _, _ = pair
    copy.summary = "An entirely new text of our own."
    db.session.flush()
    assert check_application(copy) == []
    assert db.session.execute(sa.select(CopyFlag)).scalars().all() == []
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "copy.withdrawn"))
        == 1
    )


def test_the_same_organisation_reusing_its_own_proposal_is_not_flagged(app, storage):  # noqa: F811
    from app.applications import services as applications
    from tests.applications_support import complete
    from tests.reviews_support import a_call

    rng = random.Random(5)
    text = proposal(rng, 600)
    first = submitted_with_text(storage, text, name="Lantern House")
    owner = applicant_of(first.organisation)
    second = applications.start_application(
        actor=owner, call=a_call(), organisation=first.organisation
    )
    complete(second, owner, storage)
    second.summary = text
    applications.submit_application(actor=owner, application=second)
    assert db.session.execute(sa.select(CopyFlag)).scalars().all() == []


def test_the_backfill_signs_what_was_submitted_before(pair):
    _, copy, _, _ = pair
    db.session.execute(sa.delete(CopyFlag))
    db.session.execute(sa.delete(TextBand))
    db.session.execute(sa.delete(TextSignature))
    seen: list[tuple[int, int, int]] = []
    done, flagged = sign_all(progress=lambda *step: seen.append(step))
    assert done == 3 and flagged == 1 and seen[-1] == (3, 3, 1)
    assert sign_all() == (0, 0)  # nothing left to sign
    assert proposal_text(copy).count("\n\n") >= 1


def test_flask_screening_copies_prints_its_progress(pair, app):
    db.session.execute(sa.delete(CopyFlag))
    db.session.execute(sa.delete(TextBand))
    db.session.execute(sa.delete(TextSignature))
    result = app.test_cli_runner().invoke(args=["screening", "copies"])
    assert result.exit_code == 0, result.output
    assert "3/3 applications signed, 1 copied pair(s) flagged" in result.output
    assert "Done: 3 application(s) signed, 1 copied pair(s) flagged." in result.output
