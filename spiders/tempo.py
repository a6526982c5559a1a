"""tempo.co (www., nasional., gaya., en. ...).

Discovery: not documented (NOTES §4 has article markup and a 2015 home page only), so it is
generic: robots.txt and its sitemaps, /sitemap.xml, and the home page's feed links. The older
layout splits an article over `?page_num=N` (pager `.pagging`) [CODE]: those pages are followed
while the pager links them.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit, urlunsplit

from scrapy.http import Response

from spiders.discovery import PortalSpider, pager_link


class TempoSpider(PortalSpider):
    name = "tempo"
    portal = "tempo"
    default_base_url = "https://www.tempo.co"

    def following_page(self, response: Response) -> str | None:
        parts = urlsplit(response.url)
        number = dict(parse_qsl(parts.query)).get("page_num", "1")
        following = parts._replace(
            query=f"page_num={int(number) + 1 if number.isdigit() else 2}", fragment=""
        )
        return pager_link(response, urlunsplit(following))
