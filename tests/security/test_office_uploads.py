"""Word and Excel uploads are judged by their real structure, read from the zip's central
directory without extracting anything: macros in any spelling, programs and stray entries
inside, zip bombs and packages of a hundred thousand entries are refused."""

from __future__ import annotations

import io
import re
import zipfile
from functools import cache
from pathlib import Path

import pytest

from app.applications import services as applications
from app.applications import uploads
from app.applications.models import DueDiligenceStatus
from app.applications.uploads import DOCX, XLSX, UploadRefused, inspect_upload
from app.grants.models import ReportKind
from app.platform.extensions import db
from app.platform.storage import get_storage
from tests.applications_support import (
    applicant_of,
    ngo_organisation,
    office_file,
    started_application,
)
from tests.grants_support import USD, active_grant, fund, report_of, signatory

LIMIT = 20 * 1024 * 1024
NOT_ACCEPTED = "not one we accept"
MACROS = "Documents with macros are not accepted"
FOREIGN_PARTS = "holds files a Word or Excel document does not"
TOO_BIG = "too large once unpacked"


def zip_of(parts: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return buffer.getvalue()


@cache
def hundred_thousand_entries() -> bytes:
    """A real docx with 100,000 empty entries added: under 10 MB, as uploaded."""
    buffer = io.BytesIO(office_file("docx"))
    with zipfile.ZipFile(buffer, "a") as package:
        for number in range(100_000):
            package.writestr(f"word/{number:x}", b"")
    return buffer.getvalue()


def _sheet_rows(count: int) -> str:
    return "".join(
        f'<row r="{n}"><c r="A{n}" s="1"><v>{n * 37 % 1000}</v></c></row>' for n in range(count)
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (office_file("docx"), DOCX),
        (office_file("xlsx"), XLSX),
        (
            office_file(
                "docx",
                extra={
                    "word/media/image1.png": b"\x89PNG\r\n\x1a\n",
                    "word/embeddings/Microsoft_Excel_Worksheet.xlsx": office_file("xlsx"),
                    "customXml/item1.xml": "<b/>",
                    "docMetadata/LabelInfo.xml": "<l/>",
                    "word/": b"",  # some zip tools write folder entries
                },
            ),
            DOCX,
        ),
        # Excel saves the page setup of a sheet as a .bin part: that one is not a program.
        (office_file("xlsx", extra={"xl/printerSettings/printerSettings1.bin": b"\0" * 64}), XLSX),
        (office_file("xlsx", extra={"xl/worksheets/sheet1.xml": _sheet_rows(20_000)}), XLSX),
    ],
    ids=["docx", "xlsx", "docx-with-images-and-labels", "xlsx-with-printer-settings", "big-sheet"],
)
def test_real_word_and_excel_files_are_accepted(data, expected):
    assert inspect_upload(data, "annex", max_bytes=LIMIT).content_type == expected[0]


@pytest.mark.parametrize(
    "extra",
    [
        {"word/VBAPROJECT.BIN": b"\xd0\xcf\x11\xe0"},
        {"word/vbaproject.bin": b"\xd0\xcf\x11\xe0"},
        {"Word/VbaProject.bin": b"\xd0\xcf\x11\xe0"},
        {"word/vbaData.xml": "<wne:vbaSuppData/>"},
        {"xl/macrosheets/sheet1.xml": "<xm:macrosheet/>"},  # Excel 4.0 macros, no VBA at all
    ],
    ids=["upper-case", "lower-case", "mixed-case", "vba-data", "excel-4-macro-sheet"],
)
def test_macros_are_refused_however_their_part_is_spelt(extra):
    with pytest.raises(UploadRefused, match=MACROS):
        inspect_upload(office_file("docx", extra=extra), "annex.docx", max_bytes=LIMIT)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.ms-word.document.MACROENABLED.main+xml",
        "application/vnd.ms-excel.macrosheet+xml",
        "application/VND.MS-OFFICE.VBAPROJECT",
    ],
)
def test_macro_content_types_are_refused_in_any_case(content_type):
    declared = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/>'
        f'<Override PartName="/word/extra.xml" ContentType="{content_type}"/></Types>'
    )
    data = office_file("docx", content_types=declared, extra={"word/extra.xml": "<x/>"})
    with pytest.raises(UploadRefused, match=MACROS):
        inspect_upload(data, "annex.docx", max_bytes=LIMIT)


@pytest.mark.parametrize(
    "extra",
    [
        {"payload.exe": b"MZ\x90\x00"},
        {"word/payload.exe": b"MZ\x90\x00"},
        {"word/media/INSTALL.EXE": b"MZ\x90\x00"},
        {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0package"},  # an OLE "package"
        {"word/embeddings/Book1.xlsm": b"PK\x03\x04"},  # a macro workbook inside
        {"word/script.js": "WScript.Shell"},
        {"xl/addin.xll": b"MZ"},
        {"README.txt": "unexpected at the top"},
        {"../../escape.xml": "<x/>"},
        {"word/../../escape.xml": "<x/>"},
    ],
    ids=[
        "exe-at-top",
        "exe-in-word",
        "exe-upper-case",
        "ole-object",
        "nested-xlsm",
        "script",
        "excel-add-in",
        "top-level-file",
        "path-escape",
        "path-escape-inside",
    ],
)
def test_programs_and_stray_entries_inside_a_document_are_refused(extra):
    with pytest.raises(UploadRefused, match=FOREIGN_PARTS):
        inspect_upload(office_file("docx", extra=extra), "annex.docx", max_bytes=LIMIT)


def test_two_entries_with_the_same_name_are_refused():
    """Two readers may pick different ones of the pair: one checked, the other opened."""
    data = office_file("docx", extra={"WORD/DOCUMENT.XML": "<evil/>"})
    with pytest.raises(UploadRefused, match=FOREIGN_PARTS):
        inspect_upload(data, "annex.docx", max_bytes=LIMIT)


@pytest.mark.parametrize(
    "data",
    [
        # A program hidden beside a Word part name and a package list, as attackers send.
        zip_of(
            {
                "[Content_Types].xml": "<Types/>",
                "word/document.xml": "<x/>",
                "setup.exe": b"MZ\x90\x00",
            }
        ),
        # A package list that declares nothing.
        zip_of({"[Content_Types].xml": "<Types/>", "word/document.xml": "<x/>"}),
        # The main part declared but missing (renamed in the zip's headers).
        office_file("docx").replace(b"word/document.xml", b"word/documenX.xml"),
        # Declared as a workbook, holds a Word part.
        office_file(
            "docx",
            content_types=(
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
                'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
            ),
        ),
        # Entities in the package list (Office never writes a DTD there).
        office_file(
            "docx",
            content_types=(
                '<!DOCTYPE Types [<!ENTITY t "application/vnd.openxmlformats-officedocument.'
                'wordprocessingml.document.main+xml">]>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Override PartName="/word/document.xml" ContentType="&t;"/></Types>'
            ),
        ),
        # A PowerPoint presentation: not a type we accept.
        office_file("pptx"),
        # Word parts without the relationships every package starts from.
        zip_of(
            {
                "[Content_Types].xml": (
                    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                    '<Override PartName="/word/document.xml" ContentType="application/vnd.'
                    'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
                ),
                "word/document.xml": "<x/>",
            }
        ),
    ],
    ids=[
        "exe-and-word-part",
        "nothing-declared",
        "main-part-missing",
        "declared-as-another-type",
        "dtd",
        "pptx",
        "no-relationships",
    ],
)
def test_a_zip_that_is_not_a_word_or_excel_package_is_refused(data):
    with pytest.raises(UploadRefused, match=NOT_ACCEPTED):
        inspect_upload(data, "annex.docx", max_bytes=LIMIT)


def test_a_package_of_a_hundred_thousand_entries_is_refused():
    data = hundred_thousand_entries()
    assert len(data) < 10 * 1024 * 1024  # it fits under the upload limit
    with pytest.raises(UploadRefused, match=TOO_BIG):
        inspect_upload(data, "annex.docx", max_bytes=LIMIT)


def test_a_package_whose_end_record_hides_its_entries_is_refused():
    """The entry count is checked again once the directory is read, whatever it claimed."""
    data = bytearray(office_file("docx", extra={f"word/{n}.xml": "" for n in range(3_000)}))
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (5).to_bytes(2, "little") * 2  # claims 5 entries
    with pytest.raises(UploadRefused, match=TOO_BIG):
        inspect_upload(bytes(data), "annex.docx", max_bytes=LIMIT)


def test_a_zip_bomb_is_refused_without_being_inflated():
    # 50 MB of zeros deflate to about 50 kB: a ratio no real document part has.
    data = office_file("docx", extra={"word/media/image1.png": b"\0" * (50 * 1024 * 1024)})
    assert len(data) < 100 * 1024
    with pytest.raises(UploadRefused, match=TOO_BIG):
        inspect_upload(data, "annex.docx", max_bytes=LIMIT)


def test_many_small_parts_that_together_inflate_too_far_are_refused():
    parts = {f"word/media/image{n}.png": b"\0" * (100 * 1024) for n in range(1_000)}
    data = office_file("docx", extra=parts)
    with pytest.raises(UploadRefused, match=TOO_BIG):
        inspect_upload(data, "annex.docx", max_bytes=LIMIT)


def test_the_unpacked_size_of_a_whole_package_is_capped(monkeypatch):
    # Random-looking text compresses a little; the cap is what refuses it, not the ratio.
    monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 1024 * 1024)
    parts = {
        f"word/part{n}.xml": "".join(f"<w:t>{n * 7919 + i}</w:t>" for i in range(30_000))
        for n in range(3)
    }
    data = office_file("docx", extra=parts)
    with pytest.raises(UploadRefused, match=TOO_BIG):
        inspect_upload(data, "annex.docx", max_bytes=LIMIT)


def test_a_package_is_judged_without_extracting_it(monkeypatch):
    """Only the small package list is ever read; no other entry is opened."""
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    bomb = office_file("docx", extra={"word/media/image1.png": b"\0" * (50 * 1024 * 1024)})
    document = office_file("docx")
    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    with pytest.raises(UploadRefused):
        inspect_upload(bomb, "annex.docx", max_bytes=LIMIT)
    inspect_upload(document, "annex.docx", max_bytes=LIMIT)
    assert set(opened) <= {"[Content_Types].xml"}


def corrupted_package_list() -> bytes:
    """A docx whose [Content_Types].xml does not inflate (a damaged or crafted file)."""
    data = bytearray(office_file("docx"))
    start = data.find(b"[Content_Types].xml") + len("[Content_Types].xml")
    for at in range(start, start + 40):
        data[at] ^= 0x55
    return bytes(data)


def unknown_compression() -> bytes:
    """A docx whose entries claim a compression method zipfile cannot read (99: AES)."""
    data = bytearray(office_file("docx"))
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        data[at + 10 : at + 12] = (99).to_bytes(2, "little")
        at = data.find(b"PK\x01\x02", at + 1)
    return bytes(data)


@pytest.mark.parametrize(
    "data", [corrupted_package_list(), unknown_compression()], ids=["damaged", "unknown-method"]
)
def test_a_damaged_package_is_refused_not_a_crash(data):
    """Both raised errors zipfile's callers rarely expect (zlib.error, NotImplementedError)."""
    with pytest.raises(UploadRefused, match=NOT_ACCEPTED):
        inspect_upload(data, "annex.docx", max_bytes=LIMIT)


# In the browser: the sentence next to the file field, never a server error, nothing stored.


def _stored_files() -> set[Path]:
    root = Path(get_storage().root)
    return {path for path in root.rglob("*") if path.is_file()}


def _refused_next_to_the_field(response, sentence: str) -> None:
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'aria-describedby="[^"]*\bfile-error"', page)  # the field names its error
    error = page.split('id="file-error"', 1)[1].split("</div>", 1)[0]
    assert "statutes.docx was not uploaded:" in error
    assert sentence in error


def _post_file(client, url: str, data: bytes, **fields: str):
    return client.post(
        url,
        data={**fields, "file": (io.BytesIO(data), "statutes.docx")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (office_file("docx", extra={"word/VBAPROJECT.BIN": b"\xd0\xcf"}), MACROS),
        (
            zip_of({"[Content_Types].xml": "<Types/>", "word/document.xml": "", "a.exe": b"MZ"}),
            NOT_ACCEPTED,
        ),
        (office_file("docx", extra={"word/setup.exe": b"MZ"}), FOREIGN_PARTS),
        (office_file("docx", extra={"word/media/a.png": b"\0" * (20 * 1024 * 1024)}), TOO_BIG),
        (hundred_thousand_entries(), TOO_BIG),
        (corrupted_package_list(), NOT_ACCEPTED),
    ],
    ids=["macros", "exe-named-docx", "exe-inside", "zip-bomb", "100000-entries", "damaged"],
)
def test_a_refused_document_is_explained_and_nothing_is_stored(client, sign_in, data, sentence):
    organisation = ngo_organisation(status=DueDiligenceStatus.REGISTERED)
    sign_in(applicant_of(organisation))
    before = _stored_files()
    url = f"/organisations/{organisation.id}/documents"
    response = _post_file(client, url, data, kind="registration_certificate")
    _refused_next_to_the_field(response, sentence)
    assert applications.organisation_documents(organisation) == []
    assert _stored_files() == before


def test_application_and_grant_report_attachments_are_refused_the_same_way(client, sign_in):
    macros = office_file("docx", extra={"word/VBAPROJECT.BIN": b"\xd0\xcf"})
    application = started_application()
    sign_in(applicant_of(application.organisation))
    before = _stored_files()
    url = f"/applications/{application.id}/attachments"
    _refused_next_to_the_field(_post_file(client, url, macros, kind="proposal"), MACROS)
    db.session.expire_all()
    assert application.documents == []

    fund(200_000 * USD)
    grant = active_grant()
    report = report_of(grant, ReportKind.PROGRESS)
    sign_in(signatory(grant))
    url = f"/grants/reports/{report.id}/attachments"
    _refused_next_to_the_field(_post_file(client, url, macros), MACROS)
    db.session.expire_all()
    assert report.attachments == []
    assert _stored_files() == before
