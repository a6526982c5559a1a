"""cnnindonesia.com.

Discovery (NOTES §4): the RSS feed of each kanal (/<kanal>/rss; which kanals is an assumption);
its sitemaps are not documented, so robots.txt and /sitemap.xml are read too (generic discovery).
A split article continues at `<path>/2`, `/3` ... [CODE AutoAllPage]: those pages are followed
while the pager links them.
"""

from __future__ import annotations

import re

from scrapy.http import Response

from spiders.discovery import PortalSpider, pager_link


class CnnIndonesiaSpider(PortalSpider):
    name = "cnnindonesia"
    portal = "cnnindonesia"
    default_base_url = "https://www.cnnindonesia.com"

    def following_page(self, response: Response) -> str | None:
        url = response.url.split("?", 1)[0]
        match = re.search(r"/(\d{1,2})$", url)
        first, number = (url[: match.start()], int(match[1])) if match else (url.rstrip("/"), 1)
        return pager_link(response, f"{first}/{number + 1}")
