"""The donor's personal data page in the browser: it passes axe, the download is the donor's
own data, and closing waits until the demo donor's monthly gift is stopped."""

from __future__ import annotations

import json
from pathlib import Path


def test_a_donor_downloads_their_data_and_is_told_what_to_stop_before_closing(cast, live):
    donor = cast.sign_in("donor")
    donor.open("/account/personal-data")
    donor.step("personal-data")

    assert donor.page.get_by_text(
        donor.t("A monthly gift is still running. Stop it first, then close.")
    ).is_visible()
    assert donor.page.get_by_role("button", name=donor.t("Close my account")).count() == 0
    with donor.page.expect_download() as download:
        donor.page.get_by_role("button", name=donor.t("Download my data")).click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == "donor@demo.test"
    assert data["donor_records"] and data["donor_records"][0]["gifts"]
