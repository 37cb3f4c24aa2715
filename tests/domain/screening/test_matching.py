"""Names that are the same party under an alias, a transliteration or another word order are
caught; a different person with a common name is not; the names screened include key people."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.applications import services as ngo
from app.applications.models import DueDiligenceStatus, OrganisationProfile, RiskRating
from app.organisations.services import bank_accounts as bank
from app.platform.errors import Conflict
from app.platform.extensions import db
from app.screening.models import ScreenedName
from app.screening.services.matching import match_threshold, name_score
from tests.applications_support import fund_manager, ngo_organisation
from tests.bank_support import german_details
from tests.factories import user_with
from tests.screening_support import import_test_list, open_hits_of


def test_an_entity_registering_under_its_alias_is_caught(app):
    import_test_list()
    organisation = ngo_organisation(name="Blue Horizon Relief Fund")

    [hit] = open_hits_of(organisation.id)
    assert hit.entry.reference_number == "QDe.903"
    assert hit.matched_name == "BLUE HORIZON RELIEF FUND"
    assert hit.alias_quality == "a.k.a."
    assert hit.score == 100
    assert hit.screened == ScreenedName.ORGANISATION


def test_a_transliterated_bank_account_holder_is_caught(app):
    import_test_list()
    organisation = ngo_organisation(
        name="Hope Shelter", bank_account_holder="Mohammed Yousef Al Rashid"
    )

    [hit] = open_hits_of(organisation.id)
    assert hit.entry.reference_number == "QDi.901"
    assert hit.screened == ScreenedName.BANK_ACCOUNT_HOLDER
    assert hit.screened_name == "Mohammed Yousef Al Rashid"
    assert match_threshold() <= hit.score < 100


def test_a_signatory_with_the_words_in_another_order_is_caught(app):
    import_test_list()
    owner = user_with(Role.APPLICANT, full_name="Sokolov Ivan Petrovich")
    organisation = ngo_organisation(owner, name="Bright Futures")

    [hit] = open_hits_of(organisation.id)
    assert hit.entry.reference_number == "KPi.902"
    assert hit.screened == ScreenedName.SIGNATORY
    assert hit.score == 100


def test_diacritics_and_case_do_not_matter():
    assert name_score("Societe d'Entraide Nouvelle", "SOCIÉTÉ D'ENTRAIDE NOUVELLE") == 100
    assert name_score("Muhammad Yusuf", "Mohammed Yousef") >= 88


def test_a_common_name_that_is_a_different_person_scores_below_the_threshold(app):
    import_test_list()
    # Shares two common words with QDi.901, not the family name.
    score = name_score("Muhammad Yusuf Khan", "MUHAMMAD YUSUF AL-RASHID")
    assert 50 < score < match_threshold()
    organisation = ngo_organisation(name="Safe Haven", bank_account_holder="Muhammad Yusuf Khan")

    assert open_hits_of(organisation.id) == []


def test_a_renamed_holder_is_screened_when_it_changes(app):
    import_test_list()
    organisation = ngo_organisation(name="Hope Shelter", bank_account_holder="Hope Shelter")
    assert open_hits_of(organisation.id) == []

    profile = db.session.get(OrganisationProfile, organisation.id)
    assert profile is not None
    profile.bank_account_holder = "Green Crescent Trading Co"
    db.session.flush()

    [hit] = open_hits_of(organisation.id)
    assert hit.entry.reference_number == "QDe.903"


def test_nothing_is_screened_before_a_list_is_imported(app):
    organisation = ngo_organisation(name="Blue Horizon Relief Fund")
    assert open_hits_of(organisation.id) == []


def test_a_director_named_in_the_file_is_screened_and_holds_verification(app):
    import_test_list()
    organisation = ngo_organisation(name="Hope Shelter")
    owner = organisation.memberships[0].user
    # The director, typed with the words in another order, saved through the file's form.
    ngo.update_due_diligence(
        actor=owner,
        organisation=organisation,
        details=ngo.DueDiligenceDetails(
            name="Hope Shelter",
            country="NG",
            legal_name="Hope Shelter",
            registration_number="RC-1",
            bank_account_holder="Hope Shelter",
            director_name="Ivan Petrovich Sokolov",
        ),
    )
    db.session.flush()

    [hit] = open_hits_of(organisation.id)
    assert (hit.screened, hit.entry.reference_number) == (ScreenedName.DIRECTOR, "KPi.902")
    # A verified file whose director changed goes back to the fund, which cannot verify it
    # while the match is open.
    profile = db.session.get(OrganisationProfile, organisation.id)
    assert profile is not None and profile.status == DueDiligenceStatus.DOCUMENTS_SUBMITTED
    with pytest.raises(Conflict, match=r"possible match on the UN sanctions list \(KPi\.902\)"):
        ngo.verify_organisation(
            actor=fund_manager(), organisation=organisation, risk_rating=RiskRating.LOW
        )


def test_the_holder_of_a_proposed_bank_account_is_screened(app):
    import_test_list()
    organisation = ngo_organisation(name="Hope Shelter")
    assert open_hits_of(organisation.id) == []

    bank.propose_bank_account(
        actor=organisation.memberships[0].user,
        organisation=organisation,
        details=german_details(holder_name="Green Crescent Trading Co"),
    )

    [hit] = open_hits_of(organisation.id)
    assert (hit.screened, hit.entry.reference_number) == (
        ScreenedName.BANK_ACCOUNT_HOLDER,
        "QDe.903",
    )
    assert hit.screened_name == "Green Crescent Trading Co"
