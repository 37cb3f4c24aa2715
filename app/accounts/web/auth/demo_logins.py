"""Production refuses the demo logins (<login>@demo.test): their password is published."""

from __future__ import annotations

from flask import current_app

# The demo logins are <login>@demo.test (devtools.seed.people); ".test" is a special-use domain.
DEMO_DOMAIN = "demo.test"


def demo_login_refused(email: str) -> bool:
    """Demo logins never work in production, even if their rows were loaded there: their
    password is published in the README."""
    production = current_app.config.get("APP_ENV") == "production"
    return production and email.strip().lower().endswith("@" + DEMO_DOMAIN)
