"""tribunnews.com (www. and the Tribun Network sub-sites).

Discovery (NOTES §4): robots.txt and the Google News sitemap of each kanal
(/<kanal>/sitemap-news.xml; which kanals is an assumption); its feeds are not documented, so the
home page's feed links are read (generic discovery). Split articles come whole with `?page=all`.
"""

from __future__ import annotations

from spiders.discovery import PortalSpider


class TribunnewsSpider(PortalSpider):
    name = "tribunnews"
    portal = "tribunnews"
    default_base_url = "https://www.tribunnews.com"
