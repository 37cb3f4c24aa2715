"""A copied pair's page: the two proposals side by side, the shared passages highlighted and
numbered alike in both. The fund's screeners only; anyone else gets a 404 (decision 0086)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user

from app.accounts.permissions import Permission
from app.copies.models import CopyFlag
from app.copies.services import can_see_copies, compare
from app.web.access import requires
from app.web.lookup import visible_or_404

bp = Blueprint("copies", __name__, template_folder="../templates", url_prefix="/screening/copies")


def _may_see(actor: Any, flag: CopyFlag) -> bool:
    return can_see_copies(actor, flag.first) and can_see_copies(actor, flag.second)


@bp.get("/<int:flag_id>")
@requires(Permission.SCREEN_APPLICATION)
def pair(flag_id: int) -> Any:
    flag = visible_or_404(CopyFlag, flag_id, _may_see)
    return render_template("copies/pair.html", comparison=compare(current_user, flag))
