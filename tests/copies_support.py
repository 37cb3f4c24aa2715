"""Copied-proposal test helpers: generated proposal texts, a copy of one with words changed, and
submitting an application with a given text."""

from __future__ import annotations

import random
from typing import Any

from app.applications import services as applications
from app.applications.models import Application
from app.platform.extensions import db
from tests.applications_support import applicant_of, complete, ngo_organisation

_SYLLABLES = ("ka", "lo", "mi", "ter", "san", "vo", "du", "pre", "gan", "shi", "rel", "tor", "na")
# The words of many proposals: "the", "victims", "shelter"... appear in all of them.
_COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "for",
    "with",
    "victims",
    "trafficking",
    "shelter",
    "support",
    "project",
    "women",
    "children",
    "assistance",
    "legal",
    "medical",
    "training",
    "staff",
]

_CHINESE = (
    "我们将为人口贩运受害者提供庇护所法律援助医疗服务心理辅导职业培训社区宣传项目妇女儿童"
    "工作人员合作伙伴警方转介安全住所重返社会家庭团聚教育就业监测评估预算活动计划目标成果"
)


def vocabulary(seed: int = 7, size: int = 4000) -> list[str]:
    rng = random.Random(seed)
    words = {
        "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size * 2)
    }
    return _COMMON + sorted(words)[:size]


def proposal(rng: random.Random, words: int = 600, vocab: list[str] | None = None) -> str:
    """A text of ``words`` words: common words often, the rest spread (Zipf-like)."""
    vocab = vocab or vocabulary()
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    chosen = rng.choices(vocab, weights=weights, k=words)
    sentences = [" ".join(chosen[i : i + 12]).capitalize() + "." for i in range(0, words, 12)]
    return "\n\n".join(" ".join(sentences[i : i + 8]) for i in range(0, len(sentences), 8))


def copy_of(
    rng: random.Random, source: str, *, share: float = 0.6, changed: float = 0.1, own: str = ""
) -> tuple[str, str]:
    """A text that reuses ``share`` of ``source``'s words in one run, one word in ten changed,
    the rest its own words (from ``own``, else generated); and the reused run as in the copy."""
    words = source.split()
    keep = int(len(words) * share)
    start = rng.randint(0, len(words) - keep)
    vocab = vocabulary()
    reused = [
        word if rng.random() >= changed else rng.choice(vocab)
        for word in words[start : start + keep]
    ]
    other = (own or proposal(rng, len(words) - keep)).split()[: len(words) - keep]
    cut = rng.randint(0, len(other))
    return " ".join(other[:cut] + reused + other[cut:]), " ".join(reused)


def chinese(rng: random.Random, characters: int = 800) -> str:
    text = "".join(rng.choice(_CHINESE) for _ in range(characters))
    return "。".join(text[i : i + 20] for i in range(0, len(text), 20)) + "。"


def submitted_with_text(storage: Any, summary: str, *, name: str, call: Any = None) -> Application:
    """A complete application of a new NGO named ``name`` whose summary is ``summary``."""
    from tests.reviews_support import a_call

    organisation = ngo_organisation(name=name, registration_number=f"RC-{name}")
    owner = applicant_of(organisation)
    application = applications.start_application(
        actor=owner, call=call or a_call(), organisation=organisation
    )
    complete(application, owner, storage)
    application.summary = summary
    db.session.flush()
    applications.submit_application(actor=owner, application=application)
    return application
