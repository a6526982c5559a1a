"""The hostile-input scenario: one replica whose pages and feeds go wrong in every way at once.

Each `Case` damages one article (or adds one feed) and says what a correct crawl reports for it:
"failed/<reason>" (failures.jsonl), "rejected/<reason>" (rejects.jsonl) or "written". Serve it
with `python -m scraper.replica --faults hostile`, or in tests:

    plan = FaultPlan(*hostile_rules(site)); cases = hostile_cases(site)

The slow case sleeps 3 s per request: crawl it with `--timeout` below that. Foreign links point at
127.0.0.2 on the portal's port, where a test can listen to prove nothing ever went there.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from scraper.replica import faults as f
from scraper.replica import feed_faults as ff
from scraper.replica.document import kanal_path
from scraper.replica.faults import Fault, Hit, Rule
from scraper.replica.site import ReplicaSite

HUGE = 50 * 1024 * 1024  # past the crawl's 20 MB DOWNLOAD_MAXSIZE
BOMB = 30 * 1024 * 1024  # inflated size of the gzip bomb
SLOW = 3.0
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
EXTRA_SITEMAPS = {
    "/sitemap/news/broken.xml": ("failed/feed_error", ff.xml(ff.MALFORMED_XML)),
    "/sitemap/news/laughs.xml": ("failed/feed_error", ff.xml(ff.BILLION_LAUGHS)),
    "/sitemap/news/huge.xml": ("failed/too_large", ff.huge_xml(30 * 1024 * 1024)),
    "/sitemap/news/foreign.xml": ("skipped_offsite", ff.urlset(lambda hit: foreign_links(hit.base_url))),
}


@dataclass(frozen=True)
class Case:
    name: str
    path: str  # the target it damages (an article path, or an extra sitemap)
    outcome: str  # "failed/<reason>", "rejected/<reason>", "written" or a skipped_* count
    fault: Fault | None = None  # None: damaged by another rule (robots.txt)


def other_host(base_url: str) -> str:
    """The same port on 127.0.0.2: off the portal, and on loopback so a test can watch it."""
    return f"http://127.0.0.2:{urlsplit(base_url).port}"


def foreign_links(base_url: str) -> list[str]:
    port = urlsplit(base_url).port
    return [
        "file:///etc/passwd",
        f"ftp://127.0.0.1:{port}/berita/1-ftp",
        "data:text/html,<p>data</p>",
        "javascript:alert(1)",
        f"{other_host(base_url)}/berita/nasional/1999999-other-host",
        "http://10.0.0.1/berita/nasional/1999998-private",
        "http://169.254.169.254/latest/meta-data/",
        f"http://[::1]:{port}/berita/nasional/1999997-ipv6-loopback",
        f"http://localhost:{port}/berita/nasional/1999996-localhost",
        f"http://127.0.0.1:{(port or 80) + 1}/berita/nasional/1999995-other-port",
    ]


def _content_cases() -> list[tuple[str, str, Fault]]:
    return [
        ("huge_declared", "failed/too_large", f.huge(HUGE)),
        ("huge_streamed", "failed/too_large", f.huge(HUGE, declared=False)),
        ("gzip_bomb", "failed/too_large", f.gzip_bomb(BOMB)),
        ("truncated", "failed/truncated", f.truncated()),
        ("octet_stream", "rejected/not_html", f.content_type("application/octet-stream")),
        ("png", "rejected/not_html", f.content_type("image/png", PNG)),
        ("utf8_declared_cp1252", "written", f.charset("windows-1252", "utf-8")),
        ("cp1252_declared_utf8", "written", f.charset("utf-8", "cp1252")),
        ("redirect_loop", "failed/redirect_loop", f.redirect_loop()),
        ("redirect_offsite", "failed/offsite", f.redirect(lambda hit: other_host(hit.base_url) + hit.target)),
        ("redirect_malformed", "failed/bad_url", f.redirect(lambda hit: "http://[::1")),
        ("slow", "failed/timeout", f.slow(SLOW)),
        ("empty", "rejected/empty", f.empty()),
        ("not_found", "failed/http_404", f.missing()),
        ("reset", "failed/connection", f.reset()),
        ("retry_after_hour", "failed/http_429", f.too_many_requests(3600)),
    ]


def robots_section(site: ReplicaSite) -> str:
    """The section robots.txt forbids: the oldest article's."""
    return kanal_path(site.ref(len(site) - 1)) + "/"


def hostile_cases(site: ReplicaSite) -> list[Case]:
    content = _content_cases()
    section = robots_section(site)
    free = [i for i in range(len(site)) if not site.ref(i).path.startswith(section)]
    if len(free) <= len(content):
        raise ValueError(f"the hostile scenario needs more articles than {len(site)}")
    cases = [
        Case(name, site.ref(i).path, outcome, fault)
        for i, (name, outcome, fault) in zip(free, content, strict=False)
    ]
    cases += [
        Case(f"robots_{i}", site.ref(i).path, "failed/robots")
        for i in range(len(site))
        if site.ref(i).path.startswith(section)
    ]
    cases += [
        Case(path.rsplit("/", 1)[1], path, outcome, fault)
        for path, (outcome, fault) in EXTRA_SITEMAPS.items()
    ]
    return cases


def _foreign_sitemap(hit: Hit) -> list[str]:
    return [f"{other_host(hit.base_url)}/sitemap.xml"]  # never to be fetched


def _children(hit: Hit) -> list[str]:
    return [hit.base_url + path for path in EXTRA_SITEMAPS] + [
        f"{other_host(hit.base_url)}/sitemap/news/x.xml"
    ]


def hostile_rules(site: ReplicaSite) -> list[Rule]:
    robots = ff.robots_disallow(robots_section(site), sitemaps=_foreign_sitemap)
    rules = [
        Rule(robots, f.exact("/robots.txt"), name="robots"),
        Rule(ff.sitemap_index_plus(_children), f.exact("/sitemap.xml"), name="sitemap_index"),
    ]
    rules += [Rule(c.fault, f.exact(c.path), name=c.name) for c in hostile_cases(site) if c.fault is not None]
    return rules
