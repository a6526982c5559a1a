"""Where a crawl may go: the portal's own hosts only, over http(s), and never in circles.

URLs reach a crawl from content the portal controls (sitemap locs, RSS links, index links, pager
links, redirects), so each one is checked before a request is sent, by `refusal`:
- the scheme must be http or https (no file:, ftp:, data:, javascript:);
- the host must be the base URL's host (on its port) or under one of the portal rules' hosts;
- a host other than the base URL's must not be a literal private, loopback or link-local IP. A
  replica on 127.0.0.1 given as --base-url still works; a page of it pointing at 10.0.0.1 or at the
  cloud metadata address does not. Names are not resolved (no DNS here): only literal IPs.

`OffsiteGuard` applies it to every request (redirected ones too, before robots.txt is fetched for
a foreign host), `RedirectGuard` refuses redirect loops and off-portal redirects when the 3xx
arrives, and reports requests the duplicate filter dropped, which would otherwise vanish.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from cleaners.portals import PortalRules

_DEFAULT_PORTS = {"http": 80, "https": 443}


class Refused(IgnoreRequest):
    """A request the crawl will not send; `reason` is its key in the run report and failures."""

    def __init__(self, reason: str, message: str, target: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.target = target  # where a refused redirect pointed


def refusal(url: str, base_url: str, rules: PortalRules | None) -> str | None:
    """None when `url` may be fetched, else why not: "scheme", "offsite" or "private_address"."""
    try:
        parts, base = urlsplit(url.strip()), urlsplit(base_url)
        port, base_port = _port(parts.scheme, parts.port), _port(base.scheme, base.port)
    except ValueError:  # a malformed port or IPv6 literal
        return "offsite"
    if parts.scheme not in _DEFAULT_PORTS:
        return "scheme"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "offsite"
    if host == (base.hostname or "").lower():
        # Same host, another port is another service (on loopback, surely); http <-> https is not.
        same_port = port == base_port or {port, base_port} <= set(_DEFAULT_PORTS.values())
        return None if same_port else "offsite"
    if _is_internal_ip(host):
        return "private_address"
    return None if rules is not None and rules.matches_host(host) else "offsite"


def _port(scheme: str, port: int | None) -> int | None:
    return port if port is not None else _DEFAULT_PORTS.get(scheme)


def _is_internal_ip(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: not resolved here
    return not address.is_global


def _spider_policy(crawler: Crawler) -> tuple[str, PortalRules | None] | None:
    spider = crawler.spider
    base_url = getattr(spider, "base_url", None)
    return (base_url, getattr(spider, "rules", None)) if base_url else None


class OffsiteGuard:
    """Downloader middleware, before RobotsTxtMiddleware: refuses requests `refusal` refuses."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteGuard:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        policy = _spider_policy(self.crawler)
        if policy is None:
            return
        reason = refusal(request.url, *policy)
        if reason is not None:
            raise Refused(reason, f"refused {request.url}: {reason}")


class RedirectGuard:
    """Downloader middleware, after RedirectMiddleware (sees the 3xx first): a redirect to a URL
    already in this request's chain is a loop, one off the portal is refused. Both raise, so the
    request's errback records the failure instead of the duplicate filter dropping it silently."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuard:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        try:
            target = urljoin(request.url, location.decode("latin-1").strip())
        except ValueError:
            raise Refused("bad_url", f"redirect to a malformed URL: {request.url} -> {location!r}") from None
        if target == request.url or target in request.meta.get("redirect_urls", ()):
            raise Refused("redirect_loop", f"redirect loop: {request.url} -> {target}")
        policy = _spider_policy(self.crawler)
        reason = refusal(target, *policy) if policy else None
        if reason is not None:
            raise Refused("offsite", f"redirect off the portal: {request.url} -> {target} ({reason})", target)
        return response

    def request_dropped(self, request: Request, spider: Any = None) -> None:
        """A redirect to a URL fetched before: counted and recorded, never lost without a trace."""
        self.crawler.stats.inc_value("news/failed/redirect_duplicate")
        hooks = getattr(self.crawler.spider, "state", None)
        url = request.meta.get("article")
        if url and hooks is not None:
            hooks.failed(url, "redirect_duplicate", f"redirected to {request.url}, already fetched")
