"""VIVA (viva.co.id and its sub-sites: jabar.viva.co.id ...).

Discovery, as its rules file lists it (`[discovery]` in cleaners/portals/viva.toml, NOTES §1c):
robots.txt, the sitemap index `/sitemap.xml` and the Google News sitemaps it names, the `/rss`
feed, and the paged `/indeks` (rows of `.article-list-row`, printed dates) as backfill. Split
articles come whole with `?page=all` (the rules' `multipage`); where that is ignored, the
`?page=N` pager is followed. Everything else is spiders.news.NewsSpider's.
"""

from __future__ import annotations

from spiders.discovery import PortalSpider, parse_printed_date

__all__ = ["VivaSpider", "parse_printed_date"]


class VivaSpider(PortalSpider):
    name = "viva"
    portal = "viva"
    default_base_url = "https://www.viva.co.id"
