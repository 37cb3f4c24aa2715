"""Locale and timezone selection: the user's choice, then the browser's Accept-Language."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str | None:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work: the default language
        return str(languages[0])
    chosen = session.get("locale")
    if chosen in languages:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    return request.accept_languages.best_match(languages) or languages[0]


def select_timezone() -> str | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        try:
            ZoneInfo(current_user.timezone)
            return str(current_user.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return None


def text_direction(locale: str | Locale) -> str:
    """The direction a language is written in, "rtl" (Arabic) or "ltr": CLDR's answer, so
    a language added later (Hebrew, Persian, Urdu) needs no list here."""
    parsed = locale if isinstance(locale, Locale) else Locale.parse(locale)
    return "rtl" if parsed.text_direction == "rtl" else "ltr"


# Each language by its own name, so that a reader finds theirs whatever the page's language.
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "zh": "中文",
    "ru": "Русский",
}
