"""What flows between a spider and the crawl runtime: the date window a spider applies, the
`ArticlePage` items it yields, and the hooks into the crawl state it may call (`StateHooks`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from cleaners.types import Article, Rejected


@dataclass(frozen=True, slots=True)
class Window:
    """Published-date window: since <= published < until; open ends are None."""

    since: datetime | None = None
    until: datetime | None = None

    def contains(self, when: datetime | None) -> bool:
        """An undated entry is kept: the window only excludes what it can see."""
        if when is None:
            return True
        return (self.since is None or when >= self.since) and (self.until is None or when < self.until)

    def older_than_since(self, when: datetime | None) -> bool:
        return when is not None and self.since is not None and when < self.since


@dataclass(frozen=True, slots=True)
class DiscoveryLimits:
    """Bounds on sitemap discovery in one run, against a portal (or a hostile server) that lists
    sitemaps without end: what goes past them is counted in the run report, not requested."""

    max_sitemaps: int = 1000  # sitemaps requested per run
    depth: int = 3  # index nesting: /sitemap.xml and robots.txt's are 0, what they list 1, ...
    budget: float = 300.0  # seconds: then held articles are released, discovery or not


@dataclass(slots=True)
class ArticlePage:
    """One article as fetched: its pages in order, and the feed metadata that led to it."""

    url: str  # the article URL, without the multi-page query
    bodies: list[bytes]
    content_type: str | None = None
    status: int = 200
    fetched_at: str | None = None
    title: str | None = None  # from the sitemap, RSS or index page
    published: str | None = None
    result: Article | Rejected | None = field(default=None, repr=False)  # set by the clean pipeline


class StateHooks(Protocol):
    """What a spider may ask of the crawl state (scraper.crawl.state via the crawl context)."""

    def should_skip(self, url: str, lastmod: datetime | None) -> bool: ...

    def add_headlines(self, rows: list[tuple[str, str, str | None]]) -> None: ...

    def failed(self, url: str, reason: str, detail: str = "", kind: str = "article") -> None:
        """A request that failed for good (after retries): listed in failures.jsonl; an article
        (kind "article") is also marked failed in the state, so a later run fetches it again."""

    def retry_urls(self) -> list[str]:
        """Article URLs that failed in earlier runs, to request again."""
        ...

    def verdict(self, url: str) -> str | None:
        """What an earlier run made of `url`: "article", a reject's reason, or None (not fetched)."""
        ...


class NoState:
    """Hooks for a stateless run: nothing seen, headlines and failures not kept."""

    def should_skip(self, url: str, lastmod: datetime | None) -> bool:
        return False

    def add_headlines(self, rows: list[tuple[str, str, str | None]]) -> None:
        pass

    def failed(self, url: str, reason: str, detail: str = "", kind: str = "article") -> None:
        pass

    def retry_urls(self) -> list[str]:
        return []

    def verdict(self, url: str) -> str | None:
        return None
