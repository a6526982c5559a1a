"""The right-hand column of a replica page: ads, the newest articles ("Terkini"), the article's
"Terpopuler", a rotating editors' pick, newsletter and app blocks."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from scraper.replica import site
from scraper.replica.chrome.markup import ASSETS, ad_slot, esc, format_wib
from scraper.replica.site import ArticleRef, ReplicaSite


def _newsletter() -> str:
    badges = "".join(
        f'<a class="app-badge" href="https://{store}.replika-viva.test/app/viva" '
        'rel="noopener" target="_blank">'
        f'<img src="/appasset/img/lazy.gif" data-original="{ASSETS}/appasset/img/badge-{store}.png" '
        f'alt="Unduh di {label}" width="135" height="40"></a>'
        for store, label in (("play", "Play Store"), ("apps", "App Store"), ("gallery", "App Gallery"))
    )
    return (
        '<div class="sidebar-widget newsletter-box"><h3 class="widget-title">Kabar Pagi VIVA</h3>'
        "<p>Ringkasan berita pilihan redaksi, dikirim ke surel Anda setiap pagi pukul 06.00 WIB.</p>"
        '<form class="newsletter-form" action="/newsletter/daftar" method="post">'
        '<input type="email" name="email" placeholder="Alamat surel Anda" required>'
        '<button type="submit">Daftar</button></form></div>'
        '<div class="sidebar-widget app-download"><h3 class="widget-title">Aplikasi VIVA</h3>'
        f"<p>Baca berita lebih cepat dan hemat kuota di aplikasi VIVA.</p>{badges}</div>"
    )


_SIDEBAR_OPEN = (
    '<aside class="layout-right" aria-label="Samping">'
    + ad_slot("sidebar-top")
    + '<section class="sidebar-widget"><h3 class="widget-title">Terkini</h3><ul class="widget-list">'
).encode()
_PILIHAN_OPEN = (
    b'<section class="sidebar-widget"><h3 class="widget-title">Pilihan Redaksi</h3><ul class="widget-list">'
)
SIDEBAR_END = (
    "\n".join((ad_slot("sidebar-middle"), _newsletter(), ad_slot("sidebar-sticky"))) + "</aside>"
).encode()
"""The constant tail of every sidebar."""


TERKINI_SIZE = 8
PILIHAN_SIZE = 6
PILIHAN_POOL = 40  # "Pilihan Redaksi" rotates through these (after the newest TERKINI_SIZE + 1)


def _item(ref: ArticleRef, printed: str) -> str:
    """One sidebar entry: thumbnail, kanal, title link, date."""
    title = esc(ref.title)
    return (
        f'<li class="widget-item"><a class="widget-thumb" href="{ref.path}">'
        '<img src="/appasset/img/lazy.gif" '
        f'data-original="/appasset/images/thumbs/{ref.id}.jpg" alt="{title}" width="100" height="66"></a>'
        f'<div class="widget-text"><span class="widget-kanal">{esc(ref.section)}</span>'
        f'<a class="widget-item__link" href="{ref.path}"><h4>{title}</h4></a>'
        f'<span class="widget-time">{printed}</span></div></li>'
    )


@dataclass(frozen=True, slots=True)
class SiteParts:
    """The chrome that depends on the site, not on the page: rendered once per `ReplicaSite`."""

    terkini: tuple[tuple[int, bytes], ...]  # (article index, rendered item) of the newest
    pilihan: tuple[bytes, ...]  # rendered items "Pilihan Redaksi" rotates through
    ticker: bytes  # the breaking-news bar under the header


_PARTS: weakref.WeakKeyDictionary[ReplicaSite, SiteParts] = weakref.WeakKeyDictionary()


_NO_PARTS = SiteParts((), (), b"")


def site_parts(replica: ReplicaSite | None) -> SiteParts:
    """`replica`'s parts (built on first use), or empty ones for a page rendered without a site."""
    if replica is None:
        return _NO_PARTS
    parts = _PARTS.get(replica)
    if parts is None:  # two threads may both build it: same bytes, the last one stays
        parts = _PARTS[replica] = _build_parts(replica)
    return parts


def _build_parts(replica: ReplicaSite) -> SiteParts:
    newest = list(replica.iter_refs(0, TERKINI_SIZE + 1))
    terkini = tuple((ref.index, _item(ref, format_wib(ref.published)).encode()) for ref in newest)
    pool = replica.iter_refs(TERKINI_SIZE + 1, TERKINI_SIZE + 1 + PILIHAN_POOL)
    pilihan = tuple(_item(ref, format_wib(ref.published)).encode() for ref in pool)
    items = "".join(
        f'<li class="ticker-item"><a href="{ref.path}">{esc(ref.title)}</a></li>' for ref in newest[:5]
    )
    ticker = f'<div class="breaking-ticker"><span class="ticker-label">Terkini</span><ul>{items}</ul></div>'
    return SiteParts(terkini, pilihan, ticker.encode())


def sidebar(replica: ReplicaSite | None, index: int | None, popular: bytes = b"") -> list[bytes]:
    """The right-hand column: ads, the newest articles (never the page's own), `popular` (the
    article's "Terpopuler" block, if any), a rotating editors' pick, newsletter and app blocks."""
    parts = site_parts(replica)
    terkini = [item for i, item in parts.terkini if i != index][:TERKINI_SIZE]
    pilihan: tuple[bytes, ...] = ()
    if parts.pilihan:
        start = ((index or 0) * 7) % len(parts.pilihan)
        rotated = (parts.pilihan + parts.pilihan)[start : start + min(PILIHAN_SIZE, len(parts.pilihan))]
        pilihan = (_PILIHAN_OPEN, *rotated, b"</ul></section>")
    return [
        _SIDEBAR_OPEN,
        *terkini,
        b"</ul></section>",
        popular,
        *pilihan,
        SIDEBAR_END,
    ]


def popular_block(refs: tuple[ArticleRef, ...], printed: list[str]) -> str:
    """The article's "Terpopuler" list, with thumbnails and dates (`printed`, one per ref)."""
    items = "".join(_item(ref, when) for ref, when in zip(refs, printed, strict=True))
    return (
        f'<section class="sidebar-widget sidebar-popular"><h3 class="widget-title">{site.POPULAR_LABEL}</h3>'
        f'<ol class="widget-list">{items}</ol></section>'
    )
