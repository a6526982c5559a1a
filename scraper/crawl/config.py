"""The settings of one crawl, passed explicitly from the CLI (or a test) to the crawl runtime."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cleaners.settings import DEFAULT_CLEAN, CleanSettings
from scraper.crawl.items import DiscoveryLimits, Window


@dataclass(frozen=True)
class CrawlConfig:
    portal: str  # the rules' name, or for a site (`site`) the name of its output folder
    output_dir: Path
    site: str | None = None  # `crawl --site`: the site's URL (its rules by host, spiders.generic)
    base_url: str | None = None
    window: Window = field(default_factory=Window)
    max_articles: int | None = None
    jobs: int = 0  # cleaning processes; 0: one per core
    concurrency: int = 8  # CONCURRENT_REQUESTS_PER_DOMAIN
    start_delay: float = 1.0  # AutoThrottle's first delay; it adapts to the server's latency
    retries: int = 3
    backoff: float = 0.5  # first retry pause in seconds, doubled on each retry
    download_timeout: float = 30.0
    max_pages: int | None = None  # responses per run (CLOSESPIDER_PAGECOUNT); the rest next run
    refresh: bool = False  # re-fetch written URLs whose sitemap lastmod is newer than our fetch
    discovery: DiscoveryLimits = field(default_factory=DiscoveryLimits)  # sitemaps per run, depth, time
    clean: CleanSettings = DEFAULT_CLEAN
    log_level: str = "WARNING"
    # `-s NAME=VALUE` of the CLI: Scrapy settings applied over the crawl's own (values as strings,
    # which Scrapy's settings convert on use, as with `scrapy crawl -s`).
    scrapy_overrides: tuple[tuple[str, str], ...] = ()


def site_folder(url: str) -> str:
    """The output folder of a site crawl: its host, with its port if not the scheme's default
    (`example.com`, `127.0.0.1_8123`: no colon, which some file systems refuse)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    return f"{host}_{parts.port}" if parts.port and parts.port not in (80, 443) else host
