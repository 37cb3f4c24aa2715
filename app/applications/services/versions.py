"""An application's version: a save built on an older version is refused."""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from app.applications.models import Application
from app.platform.errors import N_, Conflict
from app.platform.extensions import db


class EditConflict(Conflict):
    """Someone saved the application after this person opened it."""


def check_version(application: Application, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != application.version_id:
        raise _conflict(application)


def _conflict(application: Application) -> EditConflict:
    name = application.updated_by.full_name if application.updated_by else None
    if name:
        return EditConflict(
            N_(
                "%(name)s saved this application after you opened it, so your changes were "
                "not saved. Reload the page to see the latest version, then make your changes "
                "again."
            ),
            name=name,
        )
    return EditConflict(
        N_(
            "Someone saved this application after you opened it, so your changes were not "
            "saved. Reload the page to see the latest version, then make your changes again."
        )
    )


def flush_or_conflict(application: Application) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        # Another transaction bumped the version between our read and our write.
        raise EditConflict(
            N_(
                "Someone saved this application at the same moment, so your changes were not "
                "saved. Reload the page to see the latest version, then make your changes again."
            )
        )
