"""What frames every replica page: the header (network bar, logo, search, menus, trending tags,
billboard) and the footer (links, offices, closing scripts)."""

from __future__ import annotations

from scraper.replica import site
from scraper.replica.chrome.markup import ASSETS, ad_slot, esc, script
from scraper.replica.chrome.navigation import CORPORATE, MENU, NETWORK, OFFICES, SOCIAL, TRENDING_TAGS


def _mega_menu() -> str:
    columns = []
    for kanal, label, subs in MENU:
        items = "".join(
            f'<li class="mega-menu-sub">'
            f'<a class="mega-menu-sub__link" href="/{kanal}/{sub}">{esc(sl)}</a></li>'
            for sub, sl in subs
        )
        columns.append(
            f'<li class="mega-menu-kanal"><a class="mega-menu-kanal__link" href="/{kanal}">{esc(label)}</a>'
            f'<ul class="mega-menu-kanal__list">{items}</ul></li>'
        )
    return (
        f'<nav class="mega-menu" aria-label="Kanal"><ul class="mega-menu__list">{"".join(columns)}</ul></nav>'
    )


def _network_links(cls: str) -> str:
    return "".join(
        f'<li><a class="{cls}__link" href="{url}" rel="noopener" target="_blank">{esc(name)}</a></li>'
        for name, url in NETWORK
    )


def _trending() -> str:
    tags = "".join(
        f'<li class="trending-tag"><a class="trending-tag__link" href="/tag/{site.slugify(tag)}">'
        f"#{esc(tag)}</a></li>"
        for tag in TRENDING_TAGS
    )
    return f'<div class="trending-bar"><span class="trending-bar__title">Trending</span><ul>{tags}</ul></div>'


def _header() -> str:
    social = "".join(
        f'<a class="share-button__link" href="https://{name}.replika-viva.test/vivacoid" aria-label="VIVA di '
        f'{name}" rel="noopener" target="_blank"><i class="icon icon-{name}"></i></a>'
        for name in SOCIAL
    )
    quick = "".join(
        f'<li><a class="header-main__link" href="/{kanal}">{esc(label)}</a></li>' for kanal, label, _ in MENU
    )
    return "\n".join(
        (
            '<a class="skip-link" href="#main">Langsung ke konten utama</a>',
            ad_slot("skin-left", label=False) + ad_slot("skin-right", label=False),
            f'<div class="network-bar"><ul class="network-bar__list">'
            f"{_network_links('network-bar')}</ul></div>",
            '<header class="header header-main">',
            f'<div class="header-top"><div class="header-social">{social}</div>'
            '<a class="header-login" href="/login">Masuk</a>'
            '<a class="header-login" href="/daftar">Daftar</a></div>',
            f'<a class="logo header-logo" href="/"><img src="{ASSETS}/appasset/img/logo-viva.svg" alt="VIVA" '
            'width="120" height="40"></a>',
            '<form class="header-search search-form" action="/search" method="get" role="search">'
            '<label class="sr-only" for="q">Cari berita</label><input id="q" type="search" name="q" '
            'placeholder="Cari berita, topik, tokoh" autocomplete="off">'
            '<button type="submit">Cari</button></form>',
            f'<nav class="nav-main" aria-label="Utama"><ul>{quick}<li><a class="header-main__link" '
            'href="/indeks">Indeks</a></li></ul></nav>',
            _mega_menu(),
            "</header>",
            _trending(),
            ad_slot("billboard"),
        )
    )


def _footer() -> str:
    kanals = "".join(
        f'<li><a class="footer-kanal__link" href="/{kanal}">{esc(label)}</a></li>' for kanal, label, _ in MENU
    )
    corporate = "".join(
        f'<li><a class="footer-links__link" href="{url}">{name}</a></li>' for name, url in CORPORATE
    )
    offices = "".join(
        f'<div class="footer-office"><h4 class="footer-office__title">{name}</h4><p>{esc(address)}<br>'
        f"Telepon: (021) 0000-{1000 + n:04d}<br>Surel: redaksi{n}@replika-viva.test</p></div>"
        for n, (name, address) in enumerate(OFFICES)
    )
    social = "".join(
        f'<li><a class="footer-social__link" href="https://{name}.replika-viva.test/vivacoid" rel="noopener" '
        f'target="_blank">{name.title()}</a></li>'
        for name in SOCIAL
    )
    return "\n".join(
        (
            ad_slot("footer-sticky"),
            '<footer class="footer">',
            '<div class="footer-top"><a class="footer-logo" href="/"><img src="/appasset/img/lazy.gif" '
            f'data-original="{ASSETS}/appasset/img/logo-viva-white.svg" alt="VIVA"></a>'
            '<p class="footer-tagline">Berita terkini, '
            "cepat dan terpercaya dari seluruh penjuru negeri.</p></div>",
            f'<nav class="footer-kanal" aria-label="Kanal"><ul>{kanals}</ul></nav>',
            f'<div class="footer-network"><h4 class="footer-network__title">Jaringan VIVA</h4>'
            f"<ul>{_network_links('footer-network')}</ul></div>",
            f'<nav class="footer-links" aria-label="Perusahaan"><ul>{corporate}</ul></nav>',
            f'<div class="footer-offices">{offices}</div>',
            f'<ul class="footer-social">{social}</ul>',
            f'<p class="footer-copyright">{esc(site.FOOTER_TEXT)}</p>',
            "</footer>",
            '<a class="back-to-top" href="#main" aria-label="Kembali ke atas">&#8593;</a>',
            '<div class="cookie-notice" hidden><p>Situs ini memakai kuki untuk analitik dan iklan. '
            '<a href="/kebijakan-privasi">Pelajari</a></p><button type="button">Setuju</button></div>',
            f'<script defer src="{ASSETS}/appasset/js/app.v2026.11.js"></script>',
            f'<script defer src="{ASSETS}/appasset/js/lazysizes.v5.js"></script>',
            script(
                "(function(){var t=document.querySelectorAll('img[data-original]');"
                "for(var i=0;i<t.length;i++)"
                "{t[i].setAttribute('data-src',t[i].getAttribute('data-original'));"
                "t[i].className+=' lazyload';}"
                "var b=document.querySelector('.back-to-top');"
                "if(b){window.addEventListener('scroll',function(){"
                "b.style.display=window.scrollY>600?'block':'none';},{passive:true});}"
                "var c=document.querySelector('.cookie-notice');if(c&&!localStorage.getItem('viva-consent')){"
                "c.hidden=false;c.querySelector('button').addEventListener('click',function(){"
                "localStorage.setItem('viva-consent','1');c.hidden=true;vivaConsent.granted=true;});}})();"
            ),
            script(
                "if('serviceWorker' in navigator){window.addEventListener('load',function(){"
                "navigator.serviceWorker.register('/sw.js').catch(function(){});});}"
                "window.addEventListener('load',function(){vivaTrack('page_load',{t:Math.round("
                "performance.now())});});"
            ),
        )
    )


HEADER = _header().encode()
"""Right after <body>: network bar, header, mega-menu, trending tags, billboard ad."""
FOOTER = _footer().encode()
"""Before </body>: footer ad, footer, closing scripts."""
