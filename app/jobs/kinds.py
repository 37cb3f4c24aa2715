"""The kinds of job a worker knows how to run, each registered by the area that offers it.

The jobs area runs a job without knowing what it makes: the area that offers an export (its
web layer, at start-up, from app/bootstrap.py) registers the function that writes the file, the
name the pages give it and who may fetch it. The same function makes the file during a request
when the work is small, so there is one way to make each file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from app.accounts.permissions import Permission

# Told how many rows (or other units) are done so far; cheap to call for every row.
Progress = Callable[[int], None]


@dataclass(frozen=True)
class BuiltFile:
    file_name: str
    content_type: str


# Writes the file for the job's parameters to the binary target, reporting progress.
Builder = Callable[[Mapping[str, Any], IO[bytes], Progress], BuiltFile]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str  # a msgid (N_), translated where it is shown
    build: Builder
    # The requester must still hold these to fetch the file (a role withdrawn since: refused).
    permissions: tuple[Permission, ...]
    # Someone else holding this may also see the job and fetch its file (an auditor).
    overseen_with: Permission | None = None


_KINDS: dict[str, JobKind] = {}


def register_kind(kind: JobKind) -> None:
    """Make ``kind`` runnable; registering the same name again replaces it (a second app)."""
    _KINDS[kind.name] = kind


def kind_named(name: str) -> JobKind | None:
    return _KINDS.get(name)
