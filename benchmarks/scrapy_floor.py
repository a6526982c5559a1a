"""The CPU a bare Scrapy spider spends per page: the floor under any Scrapy crawl of these pages.

    python benchmarks/scrapy_floor.py --base-url http://127.0.0.1:8000 --articles 5000
    python benchmarks/scrapy_floor.py --base-url http://127.0.0.1:8000 --articles 5000 --no-network

Fetches every article page of a running replica (`<path>?page=all`, as the crawl does) with the
crawl's engine settings (scraper.crawl.engine.engine_settings: asyncio reactor on uvloop, concurrency 16,
the crawl's per-response item concurrency, no cookies, no telnet, Scrapy's components the crawl
turns off left off) and a callback that does nothing: no cleaning, no state, no output, no
robots.txt, no AutoThrottle, none of the crawl's own middlewares. Prints one line,
`floor-ms-per-page <ms> pages <n>`: the CPU time of this process from the first request to the
last response, per page.

--no-network swaps Scrapy's HTTP client for a download handler that answers every request at once
with an article page of the replica held in memory: what Scrapy's engine costs per page before a
byte is fetched (scheduler, downloader slots, middlewares, callback, signals). No crawl that
schedules each article through Scrapy spends less. The replica need not be running for it.

benchmarks/bench_crawl.py runs both on its replica to show how much of the crawl process's cost
per article is Scrapy's own.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.http import HtmlResponse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scraper.crawl.config import CrawlConfig
from scraper.crawl.engine import engine_settings
from scraper.replica import ReplicaSite
from scraper.replica.pages import route

SAMPLE_PAGES = 50  # distinct page bodies the in-memory handler cycles through


class FetchOnly(scrapy.Spider):
    name = "fetch-only"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls, self.pages, self.cpu_started = urls, 0, 0.0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.cpu_started = time.process_time()
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: scrapy.http.Response) -> None:
        self.pages += 1


class InMemoryHandler:
    """A download handler with no network: each request gets one of a few real article pages."""

    lazy = False
    bodies: ClassVar[list[bytes]] = []  # set before the crawl starts

    def __init__(self, crawler: Crawler) -> None:
        self.served = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> InMemoryHandler:
        return cls(crawler)

    async def download_request(self, request: scrapy.Request, spider: Any = None) -> HtmlResponse:
        body = self.bodies[self.served % len(self.bodies)]
        self.served += 1
        headers = {"Content-Type": "text/html; charset=utf-8"}
        return HtmlResponse(request.url, status=200, headers=headers, body=body, request=request)

    async def close(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--articles", type=int, required=True, help="the replica's size (seed 1)")
    parser.add_argument("--no-network", action="store_true", help="Scrapy's engine alone (see above)")
    args = parser.parse_args()
    site = ReplicaSite(args.articles, seed=1)
    urls = [args.base_url + ref.path + "?page=all" for ref in site.iter_refs()]
    settings = {
        **engine_settings(CrawlConfig("viva", Path("."), concurrency=16)),
        "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False,
    }  # fmt: skip
    if args.no_network:
        refs = [site.article(i) for i in range(min(SAMPLE_PAGES, len(site)))]
        InMemoryHandler.bodies = [route(site, args.base_url, a.path + "?page=all").body for a in refs]
        handler = f"{InMemoryHandler.__module__}.{InMemoryHandler.__qualname__}"
        settings["DOWNLOAD_HANDLERS"] = {"http": handler, "https": handler}
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(FetchOnly)
    process.crawl(crawler, urls=urls)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, FetchOnly)
    cpu = time.process_time() - spider.cpu_started
    print(f"floor-ms-per-page {1000 * cpu / max(1, spider.pages):.3f} pages {spider.pages}")


if __name__ == "__main__":
    main()
