"""The ``grants`` blueprint and the template helpers its pages share with the rest of the app;
its routes live in app/web/grants/views/ (gathered by app/web/grants/routes.py)."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _

from app.web.grants.labels import grant_badge, grant_day, grant_label, report_name

bp = Blueprint("grants", __name__, url_prefix="/grants")
bp.add_app_template_global(grant_label, "grant_label")
bp.add_app_template_global(grant_badge, "grant_badge")
bp.add_app_template_global(report_name, "report_name")
bp.add_app_template_filter(grant_day, "day")
bp.add_app_template_filter(lambda error: error.translated(_), "explain")
