"""The <head> of a replica page: site-wide meta tags, preloads, icons (`HEAD_TOP`), and inline
CSS, ad and analytics setup and the serialized app state (`HEAD_BOTTOM`)."""

from __future__ import annotations

from scraper.replica import site
from scraper.replica.chrome.markup import ADS, ANALYTICS, ASSETS, CDN, esc, script, script_json
from scraper.replica.chrome.navigation import AD_SLOTS, CORPORATE, MENU, NETWORK, SOCIAL, TRENDING_TAGS


def _meta_tags() -> list[str]:
    named = (
        ("viewport", "width=device-width, initial-scale=1"),
        ("robots", "index, follow, max-image-preview:large, max-snippet:-1"),
        ("googlebot-news", "index, follow"),
        ("googlebot", "index, follow"),
        ("theme-color", "#c8102e"),
        ("msapplication-TileColor", "#c8102e"),
        ("msapplication-TileImage", f"{ASSETS}/appasset/icons/tile-144.png"),
        ("apple-mobile-web-app-capable", "yes"),
        ("apple-mobile-web-app-status-bar-style", "black-translucent"),
        ("apple-mobile-web-app-title", "VIVA"),
        ("application-name", "VIVA"),
        ("mobile-web-app-capable", "yes"),
        ("format-detection", "telephone=no"),
        ("referrer", "no-referrer-when-downgrade"),
        ("copyright", "Replika VIVA"),
        ("twitter:card", "summary_large_image"),
        ("twitter:site", "@replikaviva"),
        ("twitter:creator", "@replikaviva"),
        ("google-site-verification", "rEpLiKa0vIvA1sItE2vErIfIcAtIoN3tOkEn4aBcD5"),
        ("msvalidate.01", "0A1B2C3D4E5F60718293A4B5C6D7E8F9"),
        ("yandex-verification", "7a7b7c7d7e7f7071"),
        ("p:domain_verify", "d1e2a3d4b5e6e7f8a9c0b1d2e3f4a5b6"),
        ("facebook-domain-verification", "replikavivafbdomainverify00001"),
    )
    props = (
        ("og:site_name", "VIVA"),
        ("og:locale", "id_ID"),
        ("fb:app_id", "900000000000001"),
        ("fb:pages", "900000000000002"),
        ("al:android:package", "test.replika.viva"),
        ("al:android:app_name", "VIVA"),
        ("al:ios:app_store_id", "900000003"),
        ("al:ios:app_name", "VIVA"),
    )
    return [
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">',
        *(f'<meta name="{name}" content="{esc(value)}">' for name, value in named),
        *(f'<meta property="{name}" content="{esc(value)}">' for name, value in props),
    ]


def _link_tags() -> list[str]:
    hosts = (ASSETS, CDN, ANALYTICS, ADS, "https://img.replika-viva.test", "https://fonts.replika-viva.test")
    icons = [
        f'<link rel="apple-touch-icon" sizes="{n}x{n}" href="{ASSETS}/appasset/icons/apple-{n}.png">'
        for n in (57, 60, 72, 76, 114, 120, 144, 152, 180)
    ]
    icons += [
        f'<link rel="icon" type="image/png" sizes="{n}x{n}" href="{ASSETS}/appasset/icons/favicon-{n}.png">'
        for n in (16, 32, 96, 192)
    ]
    fonts = [
        f'<link rel="preload" as="font" type="font/woff2" crossorigin '
        f'href="{ASSETS}/appasset/fonts/{name}.woff2">'
        for name in ("sans-regular", "sans-medium", "sans-bold", "serif-regular", "serif-bold")
    ]
    return [
        *(f'<link rel="preconnect" href="{host}" crossorigin>' for host in hosts),
        *(f'<link rel="dns-prefetch" href="{host}">' for host in hosts),
        *fonts,
        f'<link rel="preload" as="style" href="{ASSETS}/appasset/css/main.v2026.11.css">',
        f'<link rel="preload" as="script" href="{ASSETS}/appasset/js/app.v2026.11.js">',
        f'<link rel="preload" as="image" href="{ASSETS}/appasset/img/logo-viva.svg">',
        '<link rel="shortcut icon" href="/favicon.ico">',
        *icons,
        f'<link rel="manifest" href="{ASSETS}/appasset/manifest.json">',
        '<link rel="alternate" type="application/rss+xml" title="VIVA" href="/rss">',
        '<link rel="search" type="application/opensearchdescription+xml" '
        'title="VIVA" href="/opensearch.xml">',
    ]


# Components of the layout: the inline "critical CSS" has a block of rules for each, and media
# queries repeat the layout ones, as build tools emit them.
_CSS_BLOCKS = (
    "skip-link",
    "header-top",
    "header-main",
    "header-logo",
    "header-search",
    "header-login",
    "network-bar",
    "mega-menu",
    "mega-menu-kanal",
    "mega-menu-sub",
    "trending-bar",
    "trending-tag",
    "breaking-ticker",
    "ticker-item",
    "layout-wrap",
    "layout-left",
    "layout-right",
    "share-bar",
    "share-button",
    "sidebar-widget",
    "widget-title",
    "widget-list",
    "widget-item",
    "widget-thumb",
    "widget-text",
    "widget-time",
    "widget-kanal",
    "ads-slot",
    "ads-label",
    "ads-sticky",
    "newsletter-box",
    "newsletter-form",
    "app-download",
    "app-badge",
    "footer-top",
    "footer-network",
    "footer-links",
    "footer-kanal",
    "footer-office",
    "footer-social",
    "footer-copyright",
    "back-to-top",
    "cookie-notice",
    "list-headline",
    "hub-heading",
    "breadcrumb",
    "article-meta",
    "article-tags",
    "related-box",
)
_PALETTE = ("#c8102e", "#1a1a1a", "#4a4a4a", "#767676", "#e5e5e5", "#f5f5f5", "#0b5cad", "#ffffff")


def _css() -> str:
    """Several KB of generated, minified-looking CSS (deterministic: a function of the lists)."""
    rules = [
        ":root{--viva-red:#c8102e;--viva-ink:#1a1a1a;--viva-muted:#767676;--viva-line:#e5e5e5;"
        "--viva-bg:#f5f5f5;--viva-link:#0b5cad;--viva-radius:6px;--viva-gap:16px;"
        "--font-sans:'Replika Sans',system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
        "--font-serif:'Replika Serif',Georgia,'Times New Roman',serif}",
        "*,*::before,*::after{box-sizing:border-box}",
        "html{-webkit-text-size-adjust:100%;scroll-behavior:smooth}",
        "body{margin:0;font-family:var(--font-sans);font-size:16px;line-height:1.5;color:var(--viva-ink);"
        "background:#fff}",
        "a{color:inherit;text-decoration:none}a:hover{color:var(--viva-red)}",
        "img{max-width:100%;height:auto;display:block}ul,ol{margin:0;padding:0;list-style:none}",
        "h1,h2,h3,h4{margin:0 0 .5em;font-weight:700;line-height:1.25}",
    ]
    rules += [
        f"@font-face{{font-family:'Replika {family.title()}';font-style:normal;font-weight:{weight};"
        f"font-display:swap;src:url({ASSETS}/appasset/fonts/{family}-{name}.woff2) format('woff2')}}"
        for family in ("sans", "serif")
        for weight, name in ((400, "regular"), (500, "medium"), (700, "bold"))
    ]
    for n, block in enumerate(_CSS_BLOCKS):
        color, accent = _PALETTE[n % len(_PALETTE)], _PALETTE[(n * 3 + 1) % len(_PALETTE)]
        pad, size = 4 + (n * 5) % 20, 12 + (n * 7) % 10
        rules.append(
            f".{block}{{display:{('flex', 'block', 'grid')[n % 3]};padding:{pad}px {pad + 4}px;"
            f"color:{color};background:{_PALETTE[(n + 5) % 8]};font-size:{size}px}}"
        )
        if n % 2 == 0:
            rules.append(f".{block}__title{{font:700 {size + 4}px/1.2 var(--font-serif);color:{accent}}}")
    for width, columns in ((768, 2), (1024, 3)):
        layout = "".join(
            f".{block}{{grid-template-columns:repeat({columns},minmax(0,1fr));max-width:{width}px}}"
            for block in _CSS_BLOCKS[::4]
        )
        rules.append(f"@media (min-width:{width}px){{{layout}}}")
    return "".join(rules)


def _state() -> dict[str, object]:
    """The serialized app state a client-rendered portal ships in its HTML (menu, config)."""
    menu = [
        {
            "id": 100 + n,
            "slug": kanal,
            "name": label,
            "url": f"/{kanal}",
            "color": _PALETTE[n % len(_PALETTE)],
            "icon": f"{ASSETS}/appasset/icons/kanal-{kanal}.svg",
            "children": [
                {"id": 1000 + 10 * n + m, "slug": sub, "name": sl, "url": f"/{kanal}/{sub}", "order": m}
                for m, (sub, sl) in enumerate(subs)
            ],
        }
        for n, (kanal, label, subs) in enumerate(MENU)
    ]
    return {
        "site": {"name": "VIVA", "locale": "id_ID", "timezone": "Asia/Jakarta", "assets": ASSETS},
        "menu": menu,
        "network": [{"name": name, "url": url} for name, url in NETWORK],
        "trending": [{"name": tag, "url": f"/tag/{site.slugify(tag)}"} for tag in TRENDING_TAGS],
        "corporate": [{"name": name, "url": url} for name, url in CORPORATE],
        "social": {name: f"https://{name}.replika-viva.test/vivacoid" for name in SOCIAL},
        "features": {
            "darkMode": True,
            "infiniteScroll": False,
            "pushNotification": True,
            "comments": {"enabled": True, "provider": "internal", "maxDepth": 3},
            "paywall": {"enabled": False, "freeArticles": 0},
            "liveBlog": {"pollSeconds": 30},
            "abTests": [{"name": f"exp-{n}", "variant": "ab"[n % 2], "share": 0.5} for n in range(8)],
        },
        "endpoints": {
            "search": "/request/load-more-search",
            "indeks": "/request/load-more-indeks",
            "popular": "/request/popular",
            "comments": "/request/comments",
            "reactions": "/request/reactions",
        },
        "ads": [
            {"slot": slot, "unit": unit, "sizes": [list(s) for s in sizes], "lazy": n > 2}
            for n, (slot, unit, sizes) in enumerate(AD_SLOTS)
        ],
        "consent": {"version": 7, "vendors": list(range(1, 61)), "purposes": list(range(1, 11))},
    }


def _ads_config() -> str:
    slots = "".join(
        f"googletag.defineSlot({script_json(unit)},{script_json([list(s) for s in sizes])},"
        f"{script_json('div-gpt-ad-' + slot)}).addService(googletag.pubads());"
        for slot, unit, sizes in AD_SLOTS
    )
    return (
        "window.googletag=window.googletag||{cmd:[]};googletag.cmd.push(function(){"
        + slots
        + "googletag.pubads().setTargeting('site','replika_viva');googletag.pubads().enableSingleRequest();"
        "googletag.pubads().collapseEmptyDivs();googletag.pubads().enableLazyLoad({fetchMarginPercent:200,"
        "renderMarginPercent:100,mobileScaling:2.0});googletag.enableServices();});"
    )


_ANALYTICS = (
    "(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});"
    "var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;"
    f"j.src='{ANALYTICS}/tag.js?id='+i+dl;f.parentNode.insertBefore(j,f);}})"
    "(window,document,'script','dataLayer','TAG-REPLIKA1');"
    "window.vivaConsent=window.vivaConsent||{granted:false,queue:[]};"
    "function vivaTrack(name,data){(window.dataLayer=window.dataLayer||[]).push(Object.assign({event:name},"
    "data||{}));}"
    "document.addEventListener('visibilitychange',function(){if(document.visibilityState==='hidden')"
    "{vivaTrack('page_hidden',{t:Date.now()});}});"
)

HEAD_TOP = "\n".join(_meta_tags() + _link_tags()).encode()
"""Right after <title>: site-wide meta tags, preconnects, preloads, icons."""
HEAD_BOTTOM = "\n".join(
    (
        f"<style>{_css()}</style>",
        f'<script async src="{ADS}/tag/js/gpt.js"></script>',
        script(_ads_config()),
        script(_ANALYTICS),
        script(f"window.__VIVA_STATE__={script_json(_state())};"),
        script(
            "window.lazySizesConfig=window.lazySizesConfig||{};lazySizesConfig.expand=300;"
            "lazySizesConfig.loadMode=1;"
        ),
    )
).encode()
"""Before </head>, after the page's own tags: inline CSS, ad and analytics setup, the app state."""


def data_layer(values: dict[str, object]) -> str:
    """The page's analytics push (article id, kanal, author...): one small script."""
    return script(f"window.dataLayer=window.dataLayer||[];dataLayer.push({script_json(values)});")
