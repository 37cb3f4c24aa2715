"""Upload tricks beyond Office packages (those: test_office_uploads.py): a file is judged by its
content, never its name, and every private file comes back as a sandboxed attachment.

Already pinned elsewhere: a program, HTML or a script renamed .pdf/.docx, broken zips, hostile
file names, size and emptiness (tests/domain/applications/test_uploads.py); the refusal shown
on the page and an upload served as an attachment with nosniff
(tests/web/organisations/test_organisation_pages.py).
"""

from __future__ import annotations

import io

import pytest

from app.applications import services as applications
from app.applications.models import DueDiligenceStatus
from app.applications.uploads import UploadRefused, inspect_upload
from tests.applications_support import PDF, applicant_of, ngo_organisation

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (SVG, "logo.png"),
        (SVG, "logo.svg"),
        (b"<!DOCTYPE html><script>alert(1)</script>", "photo.jpg"),
        (b"GIF89a/*<script>alert(1)</script>*/", "scan.png"),  # a GIF/JavaScript polyglot
        (b"\xef\xbb\xbf%PDF-1.4 after a byte-order mark", "statement.pdf"),
        (b"{\\rtf1 {\\object\\objemb}}", "letter.docx"),  # RTF with an embedded object
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "budget.xlsx"),  # old .xls/.doc
    ],
    ids=["svg-as-png", "svg", "html-as-jpg", "gif-polyglot", "bom-pdf", "rtf-as-docx", "ole2"],
)
def test_content_of_a_type_we_do_not_accept_is_refused_whatever_its_name(data, name):
    with pytest.raises(UploadRefused, match="not one we accept"):
        inspect_upload(data, name, max_bytes=1024 * 1024)


def test_a_private_file_is_served_as_a_sandboxed_attachment_of_its_real_type(client, sign_in):
    organisation = ngo_organisation(status=DueDiligenceStatus.REGISTERED)
    sign_in(applicant_of(organisation))
    client.post(
        f"/organisations/{organisation.id}/documents",
        data={"kind": "registration_certificate", "file": (io.BytesIO(PDF), "page.html")},
        content_type="multipart/form-data",
    )
    (document,) = applications.organisation_documents(organisation)
    response = client.get(f"/applications/documents/{document.id}")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=page.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Even opened in the browser, it could run no script and load nothing.
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
