"""The `scraper` command line. Each command lives in its own module of this folder; this one
builds the app from them and turns a ScraperError that escaped a command into one line.

A command's module is imported when that command is looked up, not before: `scraper clean` does not
load Scrapy, pyarrow and the other commands' libraries (a third of its start-up). `scraper --help`
lists them all, and so imports them all."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
import typer.main

from scraper.cli.command_style import Group, command
from scraper.cli.options import err
from scraper.errors import ScraperError

# Command name -> (module, function), in the order help lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "clean": ("scraper.cli.clean", "clean"),
    "eval": ("scraper.cli.evaluate", "evaluate"),
    "crawl": ("scraper.cli.crawl", "crawl"),
    "portals": ("scraper.cli.portals", "portals"),
    "scrape": ("scraper.cli.scrape", "scrape"),
    "demo": ("scraper.cli.demo", "demo"),
    "worker": ("scraper.cli.worker", "worker"),
    "merge": ("scraper.cli.merge", "merge"),
    "export": ("scraper.cli.export", "export_command"),
    "replica": ("scraper.cli.replica", "replica"),
    "report": ("scraper.cli.report", "report"),
}


def _build(name: str) -> Any:
    """The click command of one of COMMANDS, built as typer builds the app's registered ones."""
    module, function = COMMANDS[name]
    single = typer.Typer()
    command(single, getattr(importlib.import_module(module), function), name)
    return typer.main.get_command_from_info(
        single.registered_commands[0],
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
    )


class _Commands(MutableMapping[str, Any]):
    """The group's commands by name: every name of COMMANDS, each built when first looked up."""

    def __init__(self, built: MutableMapping[str, Any]) -> None:
        self._built = dict(built)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = _build(name)
        return self._built[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self._built[name] = value

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*COMMANDS, *self._built]))

    def __len__(self) -> int:
        return len(set(COMMANDS) | set(self._built))


class LazyGroup(Group):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Commands(self.commands)


app = typer.Typer(
    cls=LazyGroup,
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


def main() -> None:
    try:
        app()
    except ScraperError as exc:
        err.print(f"[red]error:[/red] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
