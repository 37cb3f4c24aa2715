"""What a page costs on the wire, as Chromium counts it (DevTools protocol ``Network`` events)."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any

FIRST_VISIT_BUDGET = 60_000  # bytes: a first visit of /give or of an NGO application page
NEXT_PAGE_BUDGET = 15_000  # bytes: the next page, static files already in the browser's cache
FIRST_PAINT_BUDGET_MS = 3_000  # at SLOW below
# The slow connection: 256 kbit/s both ways, 300 ms of latency.
SLOW = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 256_000 / 8,
    "uploadThroughput": 256_000 / 8,
}


@dataclass
class Measure:
    url: str
    # (url, bytes on the wire, served from the browser's cache) per request of the page.
    requests: list[tuple[str, int, bool]] = field(default_factory=list)
    first_paint_ms: float = 0.0
    load_ms: float = 0.0
    app_origin: str = ""

    @property
    def app_bytes(self) -> int:
        """Bytes from the app itself (the page and its static files)."""
        return sum(size for url, size, _ in self.requests if url.startswith(self.app_origin))

    @property
    def other_bytes(self) -> int:
        """Bytes from elsewhere (Stripe.js on the Give page; localstripe's in the tests)."""
        return sum(size for url, size, _ in self.requests if not url.startswith(self.app_origin))

    @property
    def static_files(self) -> list[str]:
        return [url for url, _, _ in self.requests if _is_static(url)]

    @property
    def static_fetched(self) -> list[str]:
        """Static files that went to the server (a download or a re-check) instead of the cache."""
        return [url for url, _, cached in self.requests if not cached and _is_static(url)]

    def rechecked(self, earlier: Measure) -> list[str]:
        """Static files an earlier page already had that this one asked the server for again."""
        return [url for url in self.static_fetched if url in earlier.static_files]

    def describe(self) -> str:
        lines = [
            f"{self.url}: {self.app_bytes} bytes from the app, {self.other_bytes} from elsewhere,"
            f" first paint {self.first_paint_ms:.0f} ms, load {self.load_ms:.0f} ms"
        ]
        for url, size, cached in self.requests:
            lines.append(f"  {size:>7} {'(cache) ' if cached else ''}{url}")
        return "\n".join(lines)


def _is_static(url: str) -> bool:
    return urllib.parse.urlsplit(url).path.startswith("/static/")


def measure(context: Any, url: str, *, slow: bool = False) -> Measure:
    """Open ``url`` in a new tab of ``context`` and count what crossed the network."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if slow:
        cdp.send("Network.emulateNetworkConditions", SLOW)
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cached: set[str] = set()

    def sent(event: dict[str, Any]) -> None:
        urls[event["requestId"]] = event["request"]["url"]

    def received(event: dict[str, Any]) -> None:
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            cached.add(event["requestId"])

    def finished(event: dict[str, Any]) -> None:
        sizes[event["requestId"]] = int(event["encodedDataLength"])

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.requestServedFromCache", lambda event: cached.add(event["requestId"]))
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="load", timeout=60_000)
    page.wait_for_load_state("networkidle", timeout=60_000)
    timing = page.evaluate(
        """() => ({
            paint: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
            load: performance.getEntriesByType('navigation')[0].loadEventEnd,
        })"""
    )
    parts = urllib.parse.urlsplit(url)
    result = Measure(
        url=parts.path,
        requests=[
            (address, sizes.get(request_id, 0), request_id in cached)
            for request_id, address in urls.items()
            if not address.startswith("data:")
        ],
        first_paint_ms=float(timing["paint"] or "inf"),
        load_ms=float(timing["load"] or 0.0),
        app_origin=f"{parts.scheme}://{parts.netloc}",
    )
    cdp.detach()
    page.close()
    print(result.describe())  # shown with pytest -s: the README's figures
    return result
