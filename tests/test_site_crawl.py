"""`scraper crawl --site URL` on replicas laid out like no known portal (scraper/replica/plain_site.py):
the generic spider finds the articles through robots.txt, a sitemap index, plain sitemaps and the
home page's Atom feed, learns which URLs are not articles from the cleaner, and a second run
writes nothing. Bad sites end with one clear line, a reason in the report and exit status 1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from scraper.replica import ReplicaPortal, Response
from scraper.replica.plain_site import PlainSite
from tests.test_crawl import run_cli
from tests.test_portal_crawls import FAST, last_report, records

N = 40


def folder_of(portal: ReplicaPortal) -> str:
    return portal.base_url.removeprefix("http://").replace(":", "_")


def crawl_site(portal: ReplicaPortal, out: Path, *extra: str) -> Any:
    return run_cli("crawl", "--site", portal.base_url, "-o", str(out), *FAST, *extra)


@pytest.fixture(scope="module")
def site_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ReplicaPortal, Path, Any]]:
    out = tmp_path_factory.mktemp("site")
    with ReplicaPortal(PlainSite(N)) as portal:
        yield portal, out, crawl_site(portal, out)


def test_every_article_of_a_site_is_written_once(site_crawl: tuple[ReplicaPortal, Path, Any]) -> None:
    portal, out, result = site_crawl
    assert result.returncode == 0, result.stderr
    site: PlainSite = portal.site  # type: ignore[assignment]
    folder = out / folder_of(portal)
    by_url = {record["url"]: record for record in records(folder)}
    assert len(by_url) == len(records(folder)) == N
    for index in range(N):
        record = by_url[portal.base_url + site.path(index)]
        ref = site.texts.ref(index)
        assert record["portal"] == "generic" and record["title"] == ref.title
        assert datetime.fromisoformat(record["published_at"]) == datetime.fromisoformat(ref.published)
        assert record["text"] == site.gold_text(index)
        assert not [t for t in site.teasers(index) if t in record["text"]]
    report = last_report(folder)
    assert report["ok"] and report["site"] == portal.base_url and report["discovery_problem"] is None


def test_category_and_tag_pages_are_learnt_not_to_be_articles(
    site_crawl: tuple[ReplicaPortal, Path, Any],
) -> None:
    portal, out, _ = site_crawl
    site: PlainSite = portal.site  # type: ignore[assignment]
    counts = last_report(out / folder_of(portal))["counts"]
    hubs = [path for path in portal.hits if path in site.hubs]
    # three probes of each kind (/category/*, /tag/*), rejected by the cleaner; the rest never fetched
    assert sorted(path.split("/")[1] for path in hubs) == ["category"] * 3 + ["tag"] * 3
    assert counts["rejected"] == {"no_content": 6}
    assert counts["skipped_not_article"] == len(site.hubs) - 6


def test_a_second_site_run_fetches_no_page(site_crawl: tuple[ReplicaPortal, Path, Any]) -> None:
    portal, out, _ = site_crawl
    site: PlainSite = portal.site  # type: ignore[assignment]
    portal.reset_counters()
    result = crawl_site(portal, out)
    assert result.returncode == 0, result.stderr
    counts = last_report(out / folder_of(portal))["counts"]
    assert counts["written"] == 0 and counts["skipped_seen"] == N + 6
    fetched = [p for p in portal.hits if site.by_path(p) is not None or p in site.hubs]
    assert fetched == []  # what was learnt about the hub pages is remembered too


def redirect_elsewhere(target_base: str) -> Any:
    return lambda target: Response(301, {"Location": target_base + target}, b"")


@pytest.mark.parametrize(
    ("layout", "reason", "line"),
    [
        ("no_sources", "no_sources", "FAILED: no_sources (no sitemap and no RSS or Atom feed found "
         "(/robots.txt: names no sitemap; /sitemap.xml: not found (404); /: links no RSS or Atom feed))"),
        ("non_articles", "no_articles", "FAILED: no_articles (none of the 42 pages the sitemaps list is an "
         "article: 6 no_content, 2 too_short; 34 more of the same kind"),
        ("redirect", "offsite_redirect", "/robots.txt redirects to http://127.0.0.1:"),
    ],
)  # fmt: skip
def test_sites_with_nothing_to_crawl_fail_with_their_reason(
    layout: str, reason: str, line: str, tmp_path: Path
) -> None:
    with ReplicaPortal(PlainSite(20)) as elsewhere:
        bad = PlainSite(20, layout="healthy" if layout == "redirect" else layout)  # type: ignore[arg-type]
        faults = redirect_elsewhere(elsewhere.base_url) if layout == "redirect" else None
        with ReplicaPortal(bad, faults=faults) as portal:
            result = crawl_site(portal, tmp_path, "--retries", "0")
            folder = tmp_path / folder_of(portal)
        assert elsewhere.hits == {}  # a redirect off the site is never followed
        elsewhere_url = elsewhere.base_url
    assert result.returncode == 1, result.stderr
    assert line in result.stderr and "Traceback" not in result.stderr
    report = last_report(folder)
    assert not report["ok"] and report["discovery_problem"]["reason"] == reason
    if layout == "redirect":
        assert f"crawl {elsewhere_url} instead" in report["discovery_problem"]["detail"]
