"""/jobs/<id>: how far a job got (the page refreshes itself: a small script asks /jobs/<id>.json,
and without JavaScript a <meta refresh> reloads the page), then the link to its file;
/jobs/<id>/download: the file, for the requester (or an overseer), audited, until it expires.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from app.jobs.models import JobStatus
from app.jobs.services import FileExpired, JobView, file_to_download, job_for
from app.web.access import login_required
from app.web.display import number
from app.web.downloads import send_private_file

bp = Blueprint("jobs", __name__, template_folder="../templates", url_prefix="/jobs")

# How often the page asks again while the job is queued or running.
REFRESH_SECONDS = 2


def _state(view: JobView) -> dict[str, Any]:
    """What the page's script needs, and what the page shows without it."""
    job = view.job
    if view.expired:
        message = _("This file is no longer kept: files are deleted after a while. Make it again.")
    elif job.status == JobStatus.QUEUED:
        message = _("Waiting for a worker to start.")
    elif job.status == JobStatus.RUNNING:
        if job.progress_total:
            message = _(
                "%(done)s of %(total)s rows written.",
                done=number(job.progress_done),
                total=number(job.progress_total),
            )
        else:
            message = _("%(done)s rows written.", done=number(job.progress_done))
    elif job.status == JobStatus.DONE:
        message = _("Your file is ready.")
    else:
        message = _("The file could not be made. Please try again; if it fails again, tell us.")
    return {
        "status": job.status.value,
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": view.percent,
        "message": message,
        "finished": job.status in (JobStatus.DONE, JobStatus.FAILED),
        "download_url": url_for("jobs.download", job_id=job.id)
        if job.status == JobStatus.DONE and not view.expired
        else None,
        "file_name": job.file_name,
        "link_text": _("Download %(name)s", name=job.file_name or ""),
        "kept_until": _(
            "The file is kept until %(time)s.", time=format_datetime(job.expires_at, "medium")
        )
        if job.status == JobStatus.DONE and not view.expired and job.expires_at
        else None,
    }


@bp.get("/<int:job_id>")
@login_required
def status(job_id: int) -> Any:
    view = job_for(actor=current_user, job_id=job_id)
    return render_template(
        "jobs/status.html", view=view, state=_state(view), refresh=REFRESH_SECONDS
    )


@bp.get("/<int:job_id>.json")
@login_required
def status_json(job_id: int) -> Any:
    view = job_for(actor=current_user, job_id=job_id)
    response = jsonify(_state(view))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:job_id>/download")
@login_required
def download(job_id: int) -> Any:
    try:
        job = file_to_download(actor=current_user, job_id=job_id)
    except FileExpired:
        view = job_for(actor=current_user, job_id=job_id)
        current_app.logger.info("job %s: download refused, the file has expired", job_id)
        page = render_template("jobs/status.html", view=view, state=_state(view), refresh=0)
        return page, 410
    return send_private_file(
        job.result_key,
        filename=job.file_name or f"job-{job.id}",
        content_type=job.content_type or "application/octet-stream",
        subject=job,
        what="Job file",
    )
