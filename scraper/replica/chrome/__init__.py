"""Site chrome of the replica portal: everything a modern news page carries around its article,
one module per part of the page (`head`, `frame`: header and footer, `sidebars`,
`around_article`; `navigation` and `markup` are what they share).

Real article pages weigh 33-290 KB (median about 62 KB across the Indonesian portals of the shared
corpus; the 2016 VIVA article is 78 KB), and nearly all of it is chrome: a head full of meta tags,
preloads, inline CSS and scripts, a mega-menu of 100-200 links, sidebars of other articles and
ads, and a footer. This module adds that weight to replica pages so that benchmarks measure a
realistic cleaning cost. All of it is written or generated here (no third-party markup), and all
of it sits outside the article body container (`div.main-content-detail`), as on the real site.

Page-independent parts are rendered once, at import, to UTF-8 bytes (`HEAD_TOP`, `HEAD_BOTTOM`,
`HEADER`, `FOOTER`, ...); parts that depend on the site (its newest articles) once per
`ReplicaSite` (`site_parts`); parts that depend on the article (its own "Terpopuler" picks) per
request, from refs the article already holds. Nothing here is random at run time: the same site
gives the same bytes.

The chrome never contains the body container's class, pager markup ("page=N" links, "Halaman
Selanjutnya"), `/indeks` list-row classes or metadata that disagrees with the article, so the
cleaner's output and the spider's parsing are the same as on a bare page.
"""
