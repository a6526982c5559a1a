"""kapanlagi.com (KLY group).

Discovery: the RSS feed /feed/ (a saved 2015 feed); its sitemaps are not documented, so
robots.txt and /sitemap.xml are read too (generic discovery). No split articles are documented.
"""

from __future__ import annotations

from spiders.discovery import PortalSpider


class KapanlagiSpider(PortalSpider):
    name = "kapanlagi"
    portal = "kapanlagi"
    default_base_url = "https://www.kapanlagi.com"
