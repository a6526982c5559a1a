"""`scraper scrape URL...`: single articles over httpx, no Scrapy reactor, the same cleaner."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleaners.types import Article, Rejected, RejectReason
from scraper.cli.options import JsonlOutput, PortalRules, Timeout, err, fail, http_url_problem
from scraper.crawl.sinks import JsonlSink
from scraper.errors import FetchError


def scrape(
    urls: Annotated[list[str], typer.Argument(metavar="URLS...", help="article URLs")],
    output: JsonlOutput = None,
    rejects: Annotated[
        Path | None, typer.Option(help="write rejects and failures here as JSON lines")
    ] = None,
    portal: PortalRules = None,
    timeout: Timeout = 30.0,
) -> None:
    """Fetch and clean single articles (all pages of a split article), without a crawl.

    Example: scraper scrape https://www.viva.co.id/berita/nasional/123-judul -o one.jsonl
    """
    from cleaners.portals import portal_by_name
    from scraper.crawl.fetch import scrape_client, scrape_url

    if portal and portal_by_name(portal) is None:
        raise fail(f"unknown portal {portal!r}")
    try:
        articles, reject_sink = JsonlSink(output), JsonlSink(rejects) if rejects else None
    except OSError as exc:
        raise fail(f"cannot write output: {exc}") from None
    written = 0
    with articles, scrape_client(timeout) as client:
        for url in urls:
            try:
                if problem := http_url_problem(url):
                    raise FetchError(f"{url}: {problem}")
                result: Article | Rejected = scrape_url(client, url, portal)
            except FetchError as exc:
                result = Rejected(url, RejectReason.ERROR, f"fetch failed: {exc}")
            if isinstance(result, Article):
                articles.write(result.to_dict())
                written += 1
                continue
            err.print(f"rejected {url}: {result.reason} {result.detail}", highlight=False, soft_wrap=True)
            if reject_sink:
                reject_sink.write(result.to_dict())
    if reject_sink:
        reject_sink.close()
    if written == 0:
        raise typer.Exit(1)
