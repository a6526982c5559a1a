"""What a user would run instead of `scraper crawl`: two small programs, benchmarked side by side
with the crawl by benchmarks/bench_alternatives.py.

    python benchmarks/alternatives.py scrapy --urls urls.txt --out texts.jsonl
    python benchmarks/alternatives.py trafilatura --urls urls.txt --out texts.jsonl

Both read the article URLs from a file (one a line) and write one JSON line per fetched page,
`{"url": ..., "text": ...}` (text null when trafilatura found none).

`scrapy`: the spider a Scrapy user writes first. A plain `scrapy.Spider` whose `start` yields a
request per URL and whose callback yields `{"url": response.url, "text":
trafilatura.extract(response.text)}` (trafilatura's default options), written by Scrapy's own
feed export (FEEDS, JSON lines). Settings: Scrapy's defaults except CONCURRENT_REQUESTS 16 and
CONCURRENT_REQUESTS_PER_DOMAIN 16 (one site; the default per-domain 8 would halve it),
DOWNLOAD_DELAY 0 and LOG_LEVEL INFO (DEBUG, the default, logs every item's whole text). One
process, so extraction runs on the reactor's thread, between fetches.

`trafilatura`: trafilatura's own downloader. `trafilatura.downloads.buffered_downloads` over the
URL list with its default number of threads (`settings.PARALLEL_CORES`: the core count, at most
16), each result extracted with `trafilatura.extract` (default options) in the main thread as it
comes in. Two settings differ from trafilatura's defaults, or it could not fetch the replica at
all: SSRF_PROTECTION off (trafilatura 2.3 refuses loopback addresses by default), and the URL
list handed straight to `buffered_downloads`: the command line (`trafilatura -i urls.txt`) draws
URLs from its store one per host every SLEEP_TIME (5 s), which would fetch 0.2 pages a second
from one site.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any


def run_scrapy(urls: list[str], out: Path) -> None:
    import scrapy
    import trafilatura
    from scrapy.crawler import CrawlerProcess

    class ArticleSpider(scrapy.Spider):
        name = "articles"

        async def start(self) -> AsyncIterator[scrapy.Request]:
            for url in urls:
                yield scrapy.Request(url)

        def parse(self, response: Any) -> Iterator[dict[str, Any]]:
            yield {"url": response.url, "text": trafilatura.extract(response.text)}

    settings = {
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0,
        "LOG_LEVEL": "INFO",
        "FEEDS": {str(out): {"format": "jsonlines", "encoding": "utf8"}},
    }
    process = CrawlerProcess(settings)
    process.crawl(ArticleSpider)
    process.start()


def run_trafilatura(urls: list[str], out: Path) -> None:
    from trafilatura import extract
    from trafilatura.downloads import buffered_downloads
    from trafilatura.settings import PARALLEL_CORES, Extractor, use_config

    config = use_config()
    config.set("DEFAULT", "SSRF_PROTECTION", "off")  # the replica is on 127.0.0.1
    logging.basicConfig(level=logging.WARNING)
    with out.open("w", encoding="utf-8") as sink:
        for url, html in buffered_downloads(urls, PARALLEL_CORES, options=Extractor(config=config)):
            text = extract(html) if html else None
            sink.write(json.dumps({"url": url, "text": text}, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("tool", choices=["scrapy", "trafilatura"])
    parser.add_argument("--urls", type=Path, required=True, help="article URLs, one a line")
    parser.add_argument("--out", type=Path, required=True, help="JSON lines: url, text")
    args = parser.parse_args()
    urls = args.urls.read_text().split()
    (run_scrapy if args.tool == "scrapy" else run_trafilatura)(urls, args.out)


if __name__ == "__main__":
    main()
