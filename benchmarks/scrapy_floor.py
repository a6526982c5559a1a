"""The CPU a bare Scrapy spider spends per page: the floor under any Scrapy crawl of these pages.

    python benchmarks/scrapy_floor.py --base-url http://127.0.0.1:8000 --articles 5000

Fetches every article page of a running replica (`<path>?page=all`, as the crawl does) with the
crawl's engine settings (asyncio reactor on uvloop, concurrency 16, no cookies, no telnet) and a
callback that does nothing: no cleaning, no state, no output, robots.txt not fetched. Prints one
line, `floor-ms-per-page <ms> pages <n>`: the CPU time of this process from the first request to
the last response, per page. benchmarks/bench_crawl.py runs it on its replica to show how much of
the crawl process's cost per article is Scrapy's own.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import AsyncIterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import AsyncCrawlerProcess

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scraper.replica import ReplicaSite


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--articles", type=int, required=True, help="the replica's size (seed 1)")
    args = parser.parse_args()
    site = ReplicaSite(args.articles, seed=1)
    urls = [args.base_url + ref.path + "?page=all" for ref in site.iter_refs()]
    settings = {
        "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False, "COOKIES_ENABLED": False,
        "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "TELNETCONSOLE_ENABLED": False,
        "WARN_ON_GENERATOR_RETURN_VALUE": False, "REMOTE_CONTROL_ENABLED": False,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ASYNCIO_EVENT_LOOP": "uvloop.Loop" if find_spec("uvloop") else None,
    }  # fmt: skip
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
