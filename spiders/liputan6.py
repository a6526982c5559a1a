"""liputan6.com (KLY group).

Discovery (NOTES §4): the paged /indeks (`article.articles--rows--item`, `time[datetime]`) as
backfill. Its sitemaps and feeds are not documented: robots.txt, /sitemap.xml and the home page's
feed links are read instead (generic discovery). A split article arrives in one response (its
pages are sibling blocks), so there is no page to follow.
"""

from __future__ import annotations

from spiders.discovery import PortalSpider


class Liputan6Spider(PortalSpider):
    name = "liputan6"
    portal = "liputan6"
    default_base_url = "https://www.liputan6.com"
