"""Conflict of interest through direct URLs: a reviewer reaches an application only once
assigned and cleared; anyone else's review pages answer 404."""

from __future__ import annotations

import pytest

from app.reviews import services as reviews
from tests.reviews_support import in_review, manager, reviewer


@pytest.fixture
def case(storage):
    fund = manager()
    application = in_review(storage, fund_manager=fund)
    expert = reviewer()
    assignment = reviews.assign_reviewer(actor=fund, application=application, reviewer=expert)
    return application, expert, assignment


def application_urls(application) -> list[str]:
    urls = [f"/applications/{application.id}", f"/applications/{application.id}/print"]
    urls += [f"/applications/documents/{d.id}" for d in application.documents]
    return urls


def test_before_the_declaration_only_title_and_organisation(case, sign_in):
    application, expert, assignment = case
    client = sign_in(expert)
    for url in application_urls(application):
        assert client.get(url).status_code == 404, url
    page = client.get(f"/reviews/assignments/{assignment.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert application.title in text and application.organisation.name in text
    assert application.summary not in text
    assert "Budget" not in text and application.locations not in text


def test_after_declaring_no_conflict_the_application_opens(case, sign_in):
    application, expert, assignment = case
    client = sign_in(expert)
    response = client.post(
        f"/reviews/assignments/{assignment.id}/declare", data={"has_conflict": "no"}
    )
    assert response.status_code == 302
    for url in application_urls(application):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert application.summary in page


def test_a_declared_conflict_closes_every_door(case, sign_in):
    application, expert, assignment = case
    client = sign_in(expert)
    refused = client.post(
        f"/reviews/assignments/{assignment.id}/declare", data={"has_conflict": "yes"}
    )
    assert refused.status_code == 422  # a conflict needs its description
    client.post(
        f"/reviews/assignments/{assignment.id}/declare",
        data={"has_conflict": "yes", "description": "I chair their board."},
    )
    for url in application_urls(application):
        assert client.get(url).status_code == 404, url
    page = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert "conflict of interest" in page and application.summary not in page
    saved = client.post(f"/reviews/assignments/{assignment.id}/review", data={"action": "save"})
    assert saved.status_code == 403


def test_other_reviewers_get_404_on_someone_elses_assignment(case, sign_in):
    application, _expert, assignment = case
    client = sign_in(reviewer())
    assert client.get(f"/reviews/assignments/{assignment.id}").status_code == 404
    assert (
        client.post(
            f"/reviews/assignments/{assignment.id}/declare", data={"has_conflict": "no"}
        ).status_code
        == 404
    )
    assert client.get(f"/applications/{application.id}").status_code == 404
