"""republika.co.id (and its sub-sites).

Discovery (NOTES §4): the RSS feed /rss/; its sitemaps are not documented, so robots.txt and
/sitemap.xml are read too (generic discovery). A split article continues at `<path>-part2`,
`-part3` ... [CODE AutoAllPage]: those pages are followed while the pager links them.
"""

from __future__ import annotations

import re

from scrapy.http import Response

from spiders.discovery import PortalSpider, pager_link


class RepublikaSpider(PortalSpider):
    name = "republika"
    portal = "republika"
    default_base_url = "https://www.republika.co.id"

    def following_page(self, response: Response) -> str | None:
        url = response.url.split("?", 1)[0]
        match = re.search(r"-part(\d+)$", url)
        first, number = (url[: match.start()], int(match[1])) if match else (url, 1)
        return pager_link(response, f"{first}-part{number + 1}")
