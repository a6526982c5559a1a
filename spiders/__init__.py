"""Portal spiders: discovery and URL rules only. Cleaning, dedup and writing live in scraper.crawl.

A portal's spider subclasses `NewsSpider` (spiders/news.py; see spiders/viva.py) and is named in
`SPIDERS`. Every spider yields `ArticlePage` items (the fetched pages of one article, plus what the
feeds said about it) and takes the same arguments: base_url, window, max_articles, and hooks into
the crawl state (`StateHooks`) so it never requests what an earlier run wrote.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from scraper.crawl.feeds import FeedEntry
from scraper.crawl.items import ArticlePage, StateHooks, Window
from scraper.errors import ConfigError

if TYPE_CHECKING:
    import scrapy

__all__ = ["SPIDERS", "ArticlePage", "FeedEntry", "StateHooks", "Window", "spider_for"]

SPIDERS = {"viva": "spiders.viva:VivaSpider"}  # portal name (as in cleaners/portals) -> spider


def spider_for(portal: str) -> type[scrapy.Spider]:
    target = SPIDERS.get(portal)
    if target is None:
        raise ConfigError(f"no spider for portal {portal!r}; known: {', '.join(sorted(SPIDERS))}")
    module, name = target.split(":")
    spider: type[scrapy.Spider] = getattr(import_module(module), name)
    return spider
