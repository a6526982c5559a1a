"""kompas.com (<kanal>.kompas.com).

Discovery (NOTES §4): robots.txt, the news sitemap of each kanal host, the home page's feed links
(no feed is documented), and the paged indeks.kompas.com (`?page=N`) as backfill, read with the
2016 entry markup (`div.kcm-main-list li`) where it matches and as plain article links where it
does not: the current index markup is not documented. Split articles come whole with `?page=all`.
"""

from __future__ import annotations

from spiders.discovery import PortalSpider


class KompasSpider(PortalSpider):
    name = "kompas"
    portal = "kompas"
    default_base_url = "https://www.kompas.com"
