"""`scraper scrape URL...`: single articles over httpx, no Scrapy reactor, the same cleaner."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer

from cleaners.types import Article, utc_now_iso
from scraper.cli.options import JsonlOutput, PortalRules, err, fail, http_url_problem, number
from scraper.crawl.sinks import JsonlSink, output_error
from scraper.errors import FetchError


def scrape(
    urls: Annotated[list[str], typer.Argument(metavar="URLS...", help="article URLs")],
    output: JsonlOutput = None,
    rejects: Annotated[
        Path | None, typer.Option(help="write rejects and failures here as JSON lines")
    ] = None,
    portal: PortalRules = None,
    timeout: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            callback=number("--timeout", above=0),
            help="seconds per request, for the whole response",
        ),
    ] = 30.0,
    deadline: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            callback=number("--deadline", above=0),
            help="seconds per article, all its redirects and pages",
        ),
    ] = 120.0,
) -> None:
    """Fetch and clean single articles (all pages of a split article), without a crawl.

    Redirects and pages stay on the article's host (the crawl's rules); failures are listed with
    their kind (dns, connection, timeout, http_404, offsite...).

    Example: scraper scrape https://www.viva.co.id/berita/nasional/123-judul -o one.jsonl
    """
    from cleaners.portals import portal_by_name
    from scraper.crawl.fetch import ScrapeLimits, scrape_client, scrape_url

    if portal and portal_by_name(portal) is None:
        raise fail(f"unknown portal {portal!r}")
    try:
        articles, reject_sink = JsonlSink(output), JsonlSink(rejects) if rejects else None
    except OSError as exc:
        raise fail(f"cannot write output: {exc}") from None
    written = 0

    def report(record: dict[str, Any], verb: str) -> None:
        err.print(
            f"{verb} {record['url']}: {record['reason']} {record['detail']}", highlight=False, soft_wrap=True
        )
        if reject_sink:
            reject_sink.write(record)

    async def run() -> None:
        nonlocal written
        limits = ScrapeLimits(timeout=timeout, deadline=deadline)
        async with scrape_client(limits) as client:
            for url in urls:
                try:
                    if problem := http_url_problem(url):
                        raise FetchError(f"{url}: {problem}", _url_kind(url))
                    result = await scrape_url(client, url, portal, limits=limits)
                except FetchError as exc:
                    report(failure(url, exc), "failed")
                    continue
                if isinstance(result, Article):
                    articles.write(result.to_dict())
                    written += 1
                else:
                    report(result.to_dict(), "rejected")

    try:
        with articles:
            asyncio.run(run())
    except OSError as exc:  # a full disk: the line being written was cut off; one line, exit 1
        raise fail(str(output_error(exc, exc.filename or output or rejects or "stdout")), 1) from None
    finally:
        if reject_sink:
            reject_sink.close()
    if written == 0:
        raise typer.Exit(1)


def failure(url: str, exc: FetchError) -> dict[str, Any]:
    """A fetch failure in the reject record's shape, its reason the crawl's failure kind."""
    return {
        "url": url,
        "reason": exc.reason,
        "detail": f"fetch failed: {exc}",
        "source": None,
        "at": utc_now_iso(),
    }


def _url_kind(url: str) -> str:
    """`scheme` for a URL of another scheme (ftp:, file:), `bad_url` for one that is not a URL."""
    scheme, colon, _ = url.partition(":")
    plain = colon and scheme.isascii() and scheme.isalpha() and scheme.lower() not in ("http", "https")
    return "scheme" if plain else "bad_url"
