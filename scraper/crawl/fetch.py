"""The one-off `scrape` over httpx: a polite fetch of an article and its pages (no Scrapy reactor),
cleaned by the crawl's own `clean_job`.

It keeps to the crawl's rules (scraper.crawl.guard.refusal): redirects are followed here, hop by
hop, and each target must be on the article's host (same port) or the portal's hosts, never a
literal private or loopback address elsewhere, never another scheme; pages of a split article must
be on the article's own host. Time is bounded twice, by the wall clock: `timeout` per request
(the whole response, however slowly it drips) and `deadline` per article (every redirect and
page). Failures are a FetchError whose `reason` is the crawl's failure kind: `dns`, `connection`,
`timeout`, `truncated`, `http_<status>`, `too_large`, `offsite`, `private_address`, `scheme`,
`redirect_loop`, `too_many_redirects` (and, from the command, `bad_url`).
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from cleaners.multipage import MAX_PAGES, article_request_url, next_page_url
from cleaners.portals import PortalRules
from cleaners.settings import DEFAULT_CLEAN, CleanSettings
from cleaners.types import Article, Rejected
from scraper.crawl.clean_job import CleanJob, clean_job, rules_for
from scraper.crawl.engine import USER_AGENT
from scraper.crawl.guard import refusal
from scraper.errors import FetchError

_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True, slots=True)
class ScrapeLimits:
    timeout: float = 30.0  # seconds per request, for the whole response
    deadline: float = 120.0  # seconds per article: all its redirects and pages
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # after redirects
    body: bytes
    content_type: str | None
    status: int
    location: str | None = None  # of a redirect


class _Clock:
    """The article's deadline, and each request's share of it."""

    def __init__(self, limits: ScrapeLimits) -> None:
        self.limits = limits
        self.ends = asyncio.get_running_loop().time() + limits.deadline

    def budget(self) -> tuple[float, bool]:
        """Seconds the next request may take, and whether the article's deadline is what bounds it."""
        left = self.ends - asyncio.get_running_loop().time()
        return (left, True) if left < self.limits.timeout else (self.limits.timeout, False)


async def fetch(client: httpx.AsyncClient, url: str, max_bytes: int, clock: _Clock) -> Fetched:
    """One GET, not following redirects, within its time budget; a FetchError with its reason."""
    seconds, by_deadline = clock.budget()
    if seconds <= 0:
        raise FetchError(f"{url}: the article's deadline of {clock.limits.deadline:g}s passed", "timeout")
    try:
        async with asyncio.timeout(seconds):
            return await _get(client, url, max_bytes)
    except TimeoutError:
        what = f"the article's deadline of {clock.limits.deadline:g}s" if by_deadline else f"{seconds:g}s"
        raise FetchError(f"{url}: no complete response within {what}", "timeout") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}", _network_reason(exc)) from exc


async def _get(client: httpx.AsyncClient, url: str, max_bytes: int) -> Fetched:
    async with client.stream("GET", url) as response:
        status, content_type = response.status_code, response.headers.get("content-type")
        if status in _REDIRECTS and response.headers.get("location"):
            return Fetched(url, b"", content_type, status, response.headers["location"])
        if status >= 400:
            raise FetchError(f"{url}: HTTP {status}", f"http_{status}")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"{url}: larger than {max_bytes} bytes", "too_large")
            chunks.append(chunk)
    return Fetched(url, b"".join(chunks), content_type, status)


def _network_reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.RemoteProtocolError) and "incomplete" in str(exc).lower():
        return "truncated"
    if isinstance(exc, httpx.RemoteProtocolError) and "location header" in str(exc).lower():
        return "bad_url"  # httpx checks a redirect's Location even when it does not follow it
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return "dns"
        cause = cause.__cause__ or cause.__context__
    return "connection"


async def fetch_followed(
    client: httpx.AsyncClient, url: str, base: str, rules: PortalRules | None, max_bytes: int, clock: _Clock
) -> Fetched:
    """GET `url`, following redirects through the crawl's refusal rules (`base`: whose host is
    on-site), at most `max_redirects` of them, never in a circle."""
    chain = [url]
    while True:
        if reason := refusal(chain[-1], base, rules):
            raise FetchError(f"{url}: refused {chain[-1]} ({reason})", reason)
        answer = await fetch(client, chain[-1], max_bytes, clock)
        if answer.location is None:
            return answer
        try:
            target = urljoin(chain[-1], answer.location.strip())
        except ValueError:
            raise FetchError(f"{url}: redirect to a malformed URL {answer.location!r}", "bad_url") from None
        if target in chain:
            raise FetchError(f"{url}: redirect loop back to {target}", "redirect_loop")
        if len(chain) > clock.limits.max_redirects:
            raise FetchError(f"{url}: more than {clock.limits.max_redirects} redirects", "too_many_redirects")
        chain.append(target)


async def scrape_url(
    client: httpx.AsyncClient, url: str, portal: str | None = None,
    settings: CleanSettings = DEFAULT_CLEAN, limits: ScrapeLimits = ScrapeLimits(),
) -> Article | Rejected:  # fmt: skip
    """Fetch one article (all its pages, on its own host) and clean it. FetchError when it cannot
    be fetched."""
    rules = rules_for(portal, url)
    clock = _Clock(limits)
    first = await fetch_followed(
        client, article_request_url(url, rules), url, rules, settings.max_bytes, clock
    )
    bodies, current = [first.body], first.url
    while (following := next_page_url(bodies[-1], current)) and len(bodies) < MAX_PAGES:
        if not _same_origin(following, first.url):
            raise FetchError(f"{url}: page link off the article's host: {following}", "offsite")
        current = following
        page = await fetch_followed(client, current, first.url, None, settings.max_bytes, clock)
        if not _same_origin(page.url, first.url):
            raise FetchError(f"{url}: page redirected off the article's host: {page.url}", "offsite")
        bodies.append(page.body)
    job = CleanJob(
        url=url, bodies=tuple(bodies), portal=rules.name, content_type=first.content_type,
        status=first.status, settings=settings,
    )  # fmt: skip
    return clean_job(job)


def _same_origin(url: str, other: str) -> bool:
    a, b = urlsplit(url), urlsplit(other)
    try:
        return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)
    except ValueError:
        return False


def scrape_client(limits: ScrapeLimits = ScrapeLimits()) -> httpx.AsyncClient:
    # Redirects are followed by fetch_followed, each hop checked; the per-read timeout is a
    # backstop under the wall-clock budget that fetch enforces.
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT}, timeout=limits.timeout, follow_redirects=False
    )
