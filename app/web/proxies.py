"""X-Forwarded-For and -Proto believed only when the request comes from the reverse proxy."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class FromTrustedProxies:
    """Werkzeug's ProxyFix for requests whose peer is within ``networks``; others as they are.

    ProxyFix alone believes the headers of whoever connects: a client that reaches the server
    directly (not through the proxy) could name any address in X-Forwarded-For and so escape
    the per-IP sign-in limit and write a false address into the audit log.
    """

    def __init__(
        self,
        wsgi_app: Callable[..., Iterable[bytes]],
        *,
        proxies: int,
        networks: list[Network],
    ):
        self.direct = wsgi_app
        self.through_proxy = ProxyFix(wsgi_app, x_for=proxies, x_proto=proxies)
        self.networks = networks

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if self._from_proxy(environ.get("REMOTE_ADDR")):
            return self.through_proxy(environ, start_response)
        return self.direct(environ, start_response)

    def _from_proxy(self, peer: str | None) -> bool:
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            return False
        return any(address in network for network in self.networks)
