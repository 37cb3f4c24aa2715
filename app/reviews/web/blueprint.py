"""The ``reviews`` blueprint and the template helper its pages share (``review_label``, which
the application page's selection panel uses too); its routes live in app/reviews/web/views/
(gathered by app/reviews/web/routes.py)."""

from __future__ import annotations

from flask import Blueprint

from app.reviews.web.labels import review_label

bp = Blueprint("reviews", __name__, template_folder="../templates", url_prefix="/reviews")
bp.add_app_template_global(review_label, "review_label")
