"""The ``grants`` blueprint and the template helpers only its pages use (``grant_label`` and
the ``day`` filter, which the selection pages use too, are listed in app/bootstrap.py); its
routes live in app/grants/web/views/ (gathered by app/grants/web/routes.py)."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _

from app.grants.web.labels import grant_badge, report_name

bp = Blueprint("grants", __name__, template_folder="../templates", url_prefix="/grants")
bp.add_app_template_global(grant_badge, "grant_badge")
bp.add_app_template_global(report_name, "report_name")
bp.add_app_template_filter(lambda error: error.translated(_), "explain")
