"""okezone.com (<kanal>.okezone.com).

Discovery: not documented (NOTES §4 has article markup only), so it is generic: robots.txt and its
sitemaps, /sitemap.xml, and the home page's feed links. Split articles come whole with
`?page=all`.
"""

from __future__ import annotations

from spiders.discovery import PortalSpider


class OkezoneSpider(PortalSpider):
    name = "okezone"
    portal = "okezone"
    default_base_url = "https://www.okezone.com"
