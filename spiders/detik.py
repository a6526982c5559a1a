"""detik.com network (news., finance., inet., sport., travel. ...).

Discovery (`[discovery]` in cleaners/portals/detik.toml, NOTES §2): robots.txt, the Google News
sitemaps of the sub-sites, the home page's feed links (no current feed is documented), and the
paged index of news.detik.com (`/indeks/N`, entries `article.list-content__item` dated by the
`title` of `.media__date span`) as backfill. Split articles come whole with `?single=1`.
"""

from __future__ import annotations

from spiders.discovery import PortalSpider


class DetikSpider(PortalSpider):
    name = "detik"
    portal = "detik"
    default_base_url = "https://www.detik.com"
