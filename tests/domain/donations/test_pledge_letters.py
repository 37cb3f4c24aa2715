"""A pledge letter is checked by the rule every file sent to the fund passes."""

from __future__ import annotations

import pytest

from app.applications.services.documents import check_uploaded_file
from app.applications.uploads import UploadRefused
from app.donations import services
from app.platform.storage import LocalStorage
from tests.applications_support import PDF
from tests.donations_support import finance_user, institutional_donor
from tests.settings_support import change_settings

YEAR = 2026


@pytest.fixture
def storage(tmp_path):
    return LocalStorage(tmp_path / "uploads")


def test_a_pledge_letter_is_kept_with_its_checked_name_and_type(storage):
    pledge = services.make_pledge(
        actor=finance_user(),
        donor=institutional_donor(),
        amount=50_000_00,
        currency="USD",
        year=YEAR,
        letter=services.LetterUpload(filename="note verbale.pdf", data=PDF),
        storage=storage,
    )
    assert (pledge.letter_filename, pledge.letter_content_type, pledge.letter_size) == (
        "note verbale.pdf",
        "application/pdf",
        len(PDF),
    )
    assert pledge.letter_key is not None
    stored = storage.open(pledge.letter_key)
    assert stored is not None and stored.read() == PDF


@pytest.mark.parametrize(
    "data",
    [b"", b"MZ\x90\x00", PDF + b"0" * 1024 * 1024],
    ids=["empty", "a program named .pdf", "over the size limit"],
)
def test_a_bad_pledge_letter_is_refused_with_the_sentence_every_upload_gets(
    app, storage, monkeypatch, data
):
    """A donor reads the same refusal for the same bad file as an NGO sending a document, and
    the pledge is not made."""
    change_settings(monkeypatch, app, "uploads", max_bytes=1024 * 1024)
    with pytest.raises(UploadRefused) as document_refused:
        check_uploaded_file(filename="letter.pdf", data=data)
    with pytest.raises(UploadRefused) as letter_refused:
        services.make_pledge(
            actor=finance_user(),
            donor=institutional_donor(),
            amount=50_000_00,
            currency="USD",
            year=YEAR,
            letter=services.LetterUpload(filename="letter.pdf", data=data),
            storage=storage,
        )
    assert letter_refused.value.message == document_refused.value.message
    assert not any(path.is_file() for path in storage.root.glob("**/*"))  # nothing kept


def test_a_letter_replaced_later_is_checked_the_same_way(app, storage, monkeypatch):
    change_settings(monkeypatch, app, "uploads", max_bytes=1024 * 1024)
    donor = institutional_donor()
    pledge = services.make_pledge(
        actor=finance_user(), donor=donor, amount=10_000_00, currency="USD", year=YEAR
    )
    with pytest.raises(UploadRefused, match="too large"):
        services.attach_pledge_letter(
            actor=finance_user(),
            pledge=pledge,
            letter=services.LetterUpload(filename="big.pdf", data=PDF + b"0" * 1024 * 1024),
            storage=storage,
        )
    assert pledge.letter_key is None
