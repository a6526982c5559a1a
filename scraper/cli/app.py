"""The `scraper` command line. Each command lives in its own module of this folder; this one
builds the app from them and turns a ScraperError that escaped a command into one line."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from scraper.cli import clean, crawl, demo, evaluate, export, merge, portals, replica, report, scrape, worker
from scraper.cli.command_style import Group, command
from scraper.cli.options import err
from scraper.errors import ScraperError

app = typer.Typer(
    cls=Group,
    help="Crawl news portals and write clean article text (no inline teasers) as JSON lines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
ENGINES = ("scrapy", "trafilatura", "selectolax", "httpx", "lxml")  # named in bug reports


def _show_version(value: bool) -> None:
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version

    def of(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:
            return "not installed"

    engines = ", ".join(f"{name} {of(name)}" for name in ENGINES)
    typer.echo(f"news-scraper {of('news-scraper')} (Python {sys.version.split()[0]}; {engines})")
    raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Print the version, with those of Scrapy, trafilatura and the other engines, and exit.",
        ),
    ] = False,
) -> None:
    pass


command(app, clean.clean)
command(app, evaluate.evaluate, "eval")
command(app, crawl.crawl)
command(app, portals.portals)
command(app, scrape.scrape)
command(app, demo.demo)
command(app, worker.worker)
command(app, merge.merge)
command(app, export.export_command, "export")
command(app, replica.replica)
command(app, report.report)


def main() -> None:
    try:
        app()
    except ScraperError as exc:
        err.print(f"[red]error:[/red] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
