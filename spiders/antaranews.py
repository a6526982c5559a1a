"""antaranews.com.

Discovery (NOTES §4): the RSS feed /rss/news.xml; its sitemaps are not documented, so robots.txt
and /sitemap.xml are read too (generic discovery). Split articles come whole with `?page=all`.
"""

from __future__ import annotations

from spiders.discovery import PortalSpider


class AntaranewsSpider(PortalSpider):
    name = "antaranews"
    portal = "antaranews"
    default_base_url = "https://www.antaranews.com"
