"""`scraper portals`: every portal with rules, its hosts, language, zone, where its articles are
listed, and whether it has a spider; `--json` for scripts."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from scraper.cli.options import out


def portal_rows() -> list[dict[str, Any]]:
    """One object per portal (the `--json` output): rules, discovery sources, spider."""
    from cleaners.portals import all_portals
    from spiders import SPIDERS, spider_for

    rows = []
    for rules in all_portals():
        discovery = rules.discovery
        spider = spider_for(rules.name) if rules.name in SPIDERS else None
        generic = [
            *([] if discovery.sitemaps else ["/sitemap.xml"]),
            *([] if discovery.feeds else ["home page feed links"]),
        ]
        rows.append(
            {
                "name": rules.name,
                "hosts": list(rules.hosts),
                "language": rules.language,
                "timezone": rules.timezone,
                "article_url": rules.article_url,
                "multipage": rules.multipage,
                "spider": spider is not None,
                "base_url": getattr(spider, "default_base_url", None),
                "discovery": {
                    "robots_txt": True,
                    "sitemaps": list(discovery.sitemaps),
                    "feeds": list(discovery.feeds),
                    "index": discovery.index,
                    "generic": generic,  # what stands in for undocumented sources
                },
            }
        )
    return rows


def portals(
    as_json: Annotated[bool, typer.Option("--json", help="one JSON array, for scripts")] = False,
) -> None:
    """List the known portals: hosts, language, time zone, discovery sources, spider.

    Example: scraper portals --json
    """
    rows = portal_rows()
    if as_json:
        typer.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table("portal", "hosts", "lang", "zone", "discovery (robots.txt, then)", "spider", box=None)
    for row in rows:
        found = row["discovery"]
        sources = [
            *(f"sitemap {s}" for s in found["sitemaps"]),
            *(f"feed {f}" for f in found["feeds"]),
            *([f"index {found['index']}"] if found["index"] else []),
            *(f"generic: {g}" for g in found["generic"]),
        ]
        spider = row["base_url"] if row["spider"] else "none"
        table.add_row(
            row["name"], ", ".join(row["hosts"]), row["language"] or "-", row["timezone"] or "-",
            "\n".join(sources), spider,
        )  # fmt: skip
    out.print(table)
    out.print("Any other news site: scraper crawl --site URL (generic discovery).")
