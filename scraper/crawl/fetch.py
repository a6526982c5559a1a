"""The one-off `scrape` over httpx: a polite single fetch of an article and its pages (no Scrapy
reactor), network errors as `FetchError`, cleaned by the crawl's own `clean_job`."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from cleaners.multipage import MAX_PAGES, article_request_url, next_page_url
from cleaners.settings import DEFAULT_CLEAN, CleanSettings
from cleaners.types import Article, Rejected
from scraper.crawl.clean_job import CleanJob, clean_job, rules_for
from scraper.crawl.engine import USER_AGENT
from scraper.errors import FetchError


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # after redirects
    body: bytes
    content_type: str | None
    status: int


def fetch(client: httpx.Client, url: str, max_bytes: int) -> Fetched:
    """GET with a size bound; every network or HTTP failure becomes a FetchError."""
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise FetchError(f"{url}: HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{url}: larger than {max_bytes} bytes")
                chunks.append(chunk)
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: timed out ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
    content_type = response.headers.get("content-type")
    return Fetched(str(response.url), b"".join(chunks), content_type, response.status_code)


def scrape_url(
    client: httpx.Client, url: str, portal: str | None = None, settings: CleanSettings = DEFAULT_CLEAN
) -> Article | Rejected:
    """Fetch one article (all its pages) and clean it. Raises FetchError when it cannot be fetched."""
    rules = rules_for(portal, url)
    first = fetch(client, article_request_url(url, rules), settings.max_bytes)
    bodies, current = [first.body], first.url
    while (following := next_page_url(bodies[-1], current)) and len(bodies) < MAX_PAGES:
        current = following
        bodies.append(fetch(client, current, settings.max_bytes).body)
    job = CleanJob(
        url=url, bodies=tuple(bodies), portal=rules.name, content_type=first.content_type,
        status=first.status, settings=settings,
    )  # fmt: skip
    return clean_job(job)


def scrape_client(timeout: float = 30.0) -> httpx.Client:
    return httpx.Client(
        headers={"User-Agent": USER_AGENT}, timeout=timeout, follow_redirects=True, max_redirects=5
    )
