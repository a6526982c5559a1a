"""mediaindonesia.com.

Discovery (NOTES §3): robots.txt and /sitemap.xml (named by Fundus); its feeds are not
documented, so the home page's feed links are read (generic discovery). No split articles are
documented.
"""

from __future__ import annotations

from spiders.discovery import PortalSpider


class MediaIndonesiaSpider(PortalSpider):
    name = "mediaindonesia"
    portal = "mediaindonesia"
    default_base_url = "https://mediaindonesia.com"
