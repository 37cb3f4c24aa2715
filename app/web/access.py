"""Route access declarations. Every view declares exactly one: ``public``, ``login_required``
or ``requires(Permission.X)``; the permission-matrix test fails for a view that declares none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user

from app.accounts.permissions import Permission, has_permission

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
AUTHENTICATED = "authenticated"


@dataclass(frozen=True)
class AccessRule:
    kind: str  # PUBLIC, AUTHENTICATED or "permission"
    permissions: tuple[Permission, ...] = ()

    def allows(self, user: Any) -> bool:
        if self.kind == PUBLIC:
            return True
        if not user.is_authenticated:
            return False
        return all(has_permission(user, p) for p in self.permissions)


def _declare(rule: AccessRule) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if rule.kind != PUBLIC:
                if not current_user.is_authenticated:
                    return redirect(url_for("auth.login", next=request.full_path))
                if not rule.allows(current_user):
                    abort(403)
            return view(*args, **kwargs)

        wrapper.access_rule = rule  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    """Anyone, signed in or not."""
    return _declare(AccessRule(PUBLIC))(view)


def login_required(view: F) -> F:
    """Any signed-in user, whatever their roles (their own profile, for instance)."""
    return _declare(AccessRule(AUTHENTICATED))(view)


def requires(*permissions: Permission) -> Callable[[F], F]:
    """A signed-in user holding every listed permission."""
    return _declare(AccessRule("permission", tuple(permissions)))


def access_rule_of(view: Callable[..., Any]) -> AccessRule | None:
    return getattr(view, "access_rule", None)
