"""The README's JSON API example, run: a token made on the token page by an NGO's member, then
each ``curl`` of the example's shell block sent through the app as curl would send it."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.grants.models import ReportKind
from tests.grants_support import USD, active_grant, fund, signatory

README = Path(__file__).resolve().parents[3] / "README.md"


def example_commands() -> list[list[str]]:
    """The curl commands of the shell block in the README's "JSON API" section, split as the
    shell would split them (continuation lines joined, comments and exports left out)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## JSON API\n", 1)[1].split("\n## ", 1)[0]
    script = section.split("```sh\n", 1)[1].split("```", 1)[0]
    script = script.replace("\\\n", " ")
    chunks: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith(("curl ", "export ")):
            chunks.append(stripped)
        else:  # inside a quoted body that spans lines
            chunks[-1] += "\n" + line
    return [shlex.split(chunk) for chunk in chunks if chunk.startswith("curl ")]


def _expand(word: str, env: dict[str, str]) -> str:
    return re.sub(r"\$(\w+)", lambda m: env[m.group(1)], word)


def run_curl(client: Any, words: list[str], env: dict[str, str]) -> Any:
    method, headers, body, url = "GET", {}, None, ""
    args = iter(_expand(word, env) for word in words[1:])
    for arg in args:
        if arg == "-s":
            continue
        if arg == "-X":
            method = next(args)
        elif arg == "-H":
            name, _sep, value = next(args).partition(":")
            headers[name.strip()] = value.strip()
        elif arg == "-d":
            body = next(args)
            method = "POST" if method == "GET" else method
        else:
            url = arg
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return client.open(path, method=method, headers=headers, data=body)


def test_the_readme_example_runs(app, client, sign_in):
    fund(100_000 * USD)
    grant = active_grant()
    person = signatory(grant)

    # 1. The token, made on the page with the scopes read and write, for the areas
    # applications and grants only (the page ticks every area; the others are unticked).
    sign_in(person)
    page = client.post(
        "/account/tokens/",
        data={
            "name": "Reports",
            "scopes": ["read", "write"],
            "areas": ["applications", "grants"],
            "days": "90",
        },
    ).get_data(as_text=True)
    client.post("/auth/logout")
    client.delete_cookie("session")
    token = page.split('id="new-token">')[1].split("<")[0]
    env = {"TOKEN": token, "API": "http://127.0.0.1:5000/api/v1"}

    commands = example_commands()
    assert [c[-1].rsplit("/", 1)[-1] for c in commands] == [
        "applications",
        "grants",
        "reports",
        "submission",
    ]
    answers = []
    for words in commands:
        response = run_curl(client, words, env)
        assert response.status_code == 200, (words[-1], response.get_json())
        body = response.get_json()
        answers.append(body)
        # What a person reads in one answer to write the next command.
        if "grants" in body:
            env["GRANT_ID"] = str(body["grants"][0]["id"])
        if "reports" in body:
            due = [r for r in body["reports"] if r["kind"] == ReportKind.PROGRESS.value]
            env["REPORT_ID"] = str(due[0]["id"])
            env["LINE_ID"] = str(body["budget_lines"][0]["id"])

    assert [g["id"] for g in answers[1]["grants"]] == [grant.id]
    submitted = answers[-1]
    assert submitted["status"] == "submitted"
    assert submitted["people_assisted"]["by_sex_and_age"] == {"female.adult": 12, "female.child": 3}
    # Sent again with the same Idempotency-Key: the first answer, nothing submitted twice.
    again = run_curl(client, commands[-1], env)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert json.loads(again.get_data(as_text=True)) == submitted
