"""`scraper replica`: serve the local replica of the VIVA portal (the one `demo` crawls and the
tests use) until Ctrl-C, for `crawl --base-url` and other experiments without the network."""

from __future__ import annotations

from typing import Annotated

import typer

from scraper.cli.options import fail, number, out
from scraper.errors import ConfigError


def replica(
    articles: Annotated[
        int,
        typer.Option(
            metavar="N",
            callback=number("--articles", 1, maximum=1_000_000),
            help="articles on the replica portal",
        ),
    ] = 1_000,
    port: Annotated[
        int,
        typer.Option(
            "-p",
            "--port",
            metavar="PORT",
            callback=number("--port", 0, maximum=65_535),
            help="port on 127.0.0.1; 0: any free port",
        ),
    ] = 8000,
    seed: Annotated[int, typer.Option(metavar="N", help="content seed (same seed, same site)")] = 1,
    faults: Annotated[
        str,
        typer.Option(
            metavar="PLAN",
            help="faults to inject, e.g. transient:0.1:seed=7, "
            "slow:0.01:seconds=3, 429:0.05:retry_after=2, or hostile",
        ),
    ] = "",
    portal: Annotated[
        str, typer.Option(metavar="NAME", help="portal to imitate: viva, or any of `scraper portals`")
    ] = "viva",
) -> None:
    """Serve a generated VIVA-like portal on 127.0.0.1 until Ctrl-C (robots.txt, sitemaps, RSS, /indeks,
    ~80 KB article pages with inline teasers), optionally with faults; with --portal, any portal's
    replica made from its rules and fixture (its URL shapes, discovery sources and markup).

    Example: scraper replica --articles 500 --port 8000   (then: scraper crawl viva --base-url http://127.0.0.1:8000)
    """
    from scraper.replica.serving import serve_until_stopped

    try:
        serve_until_stopped(articles, seed, "127.0.0.1", port, faults, lambda line: out.print(line), portal)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    except ValueError as exc:
        raise fail(f"--faults {faults!r}: {exc}") from None
    except OSError as exc:
        raise fail(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from None
