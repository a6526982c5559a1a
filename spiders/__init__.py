"""Portal spiders: discovery and URL rules only. Cleaning, dedup and writing live in scraper.crawl.

A portal's spider is the module `spiders/<portal>.py` (the portal's name as in cleaners/portals)
holding one `NewsSpider` subclass whose `portal` is that name (see spiders/viva.py); `SPIDERS`
finds them, so adding a portal adds no line here. `SiteSpider` (spiders/generic.py) crawls any
other news site. Every spider yields `ArticlePage` items (the fetched pages of one article, plus
what the feeds said about it) and takes the same arguments: base_url, window, max_articles, and
hooks into the crawl state (`StateHooks`) so it never requests what an earlier run wrote.
"""

from __future__ import annotations

import inspect
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from cleaners.portals import all_portals
from scraper.crawl.feeds import FeedEntry
from scraper.crawl.items import ArticlePage, StateHooks, Window
from scraper.errors import ConfigError

if TYPE_CHECKING:
    import scrapy

__all__ = ["SPIDERS", "ArticlePage", "FeedEntry", "StateHooks", "Window", "site_spider", "spider_for"]

# portal name (as in cleaners/portals) -> the module of its spider
SPIDERS = {
    rules.name: f"spiders.{rules.name}"
    for rules in all_portals()
    if (Path(__file__).parent / f"{rules.name}.py").is_file()
}


def spider_for(portal: str) -> type[scrapy.Spider]:
    target = SPIDERS.get(portal)
    if target is None:
        raise ConfigError(f"no spider for portal {portal!r}; known: {', '.join(sorted(SPIDERS))}")
    module = import_module(target)
    for _, found in inspect.getmembers(module, inspect.isclass):
        if found.__module__ == target and getattr(found, "portal", None) == portal:
            spider: type[scrapy.Spider] = found
            return spider
    raise ConfigError(f"{target} defines no spider whose portal is {portal!r}")


def site_spider() -> type[scrapy.Spider]:
    """The spider of `scraper crawl --site`: any news site, by its sitemaps and feeds."""
    from spiders.generic import SiteSpider

    return SiteSpider
