"""Bounded sitemap discovery (issue 12, item 4): a chain of ever new sitemap URLs used to keep a
crawl discovering forever (53,136 requests in 120 s, 0 articles). Index nesting (--sitemap-depth)
and sitemaps per run (--max-sitemaps) are capped, held articles are released after
--discovery-budget seconds, and what went past a bound is counted in the run report."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from scraper.replica import ReplicaSite
from scraper.replica import feed_faults as ff
from scraper.replica.faults import FaultPlan, Hit, Rule, exact, slow, under
from tests.test_crawl import crawl, last_report, records

CHAIN = "/sitemap/chain.xml"


def chained_site() -> tuple[ReplicaSite, FaultPlan]:
    site = ReplicaSite(10, seed=6)
    plan = FaultPlan(
        Rule(ff.sitemap_index_plus(lambda hit: [hit.base_url + CHAIN + "?x=0"]), exact("/sitemap.xml")),
        Rule(ff.sitemap_chain(CHAIN), under(CHAIN), name="chain"),
    )
    return site, plan


def written_all(out: Path, site: ReplicaSite, base: str) -> bool:
    return sorted(r["url"] for r in records(out)) == sorted(base + a.path for a in site.iter_articles())


def test_an_endless_chain_of_sitemap_indexes_stops_at_the_depth_limit(tmp_path: Path) -> None:
    site, plan = chained_site()
    with plan.serve(site) as portal:
        result = crawl(portal, tmp_path, "--timeout", "10")
        chain = sum(n for target, n in portal.hits.items() if target.startswith(CHAIN))
        base = portal.base_url
    assert result.returncode == 0, result.stderr
    # /sitemap.xml is depth 0, the chain's first index 1, ... up to the default depth of 3.
    assert chain == 3
    counts = last_report(tmp_path)["counts"]
    assert counts["sitemaps_too_deep"] == 1 and counts["sitemaps_over_cap"] == 0
    assert "(--sitemap-depth)" in result.stderr
    assert written_all(tmp_path, site, base)


def test_the_sitemaps_of_a_run_are_capped(tmp_path: Path) -> None:
    site, plan = chained_site()
    with plan.serve(site) as portal:
        result = crawl(portal, tmp_path, "--sitemap-depth", "100000", "--max-sitemaps", "20")
        chain = sum(n for target, n in portal.hits.items() if target.startswith(CHAIN))
        news = sum(n for target, n in portal.hits.items() if target.startswith("/sitemap/news/"))
        base = portal.base_url
    assert result.returncode == 0, result.stderr
    assert chain + news + 1 == 20  # the index, its news sitemap(s), and the chain up to the cap
    counts = last_report(tmp_path)["counts"]
    assert counts["sitemaps_over_cap"] == 1 and counts["sitemaps_too_deep"] == 0
    assert written_all(tmp_path, site, base)


def test_held_articles_are_released_after_the_discovery_budget(tmp_path: Path) -> None:
    """A sitemap that takes 6 s holds the articles back only for the 1 s budget."""
    site = ReplicaSite(10, seed=6)
    moments: dict[str, float] = {}
    lock = threading.Lock()

    def slow_sitemap(hit: Hit) -> object:
        answer = slow(6)(hit)
        moments["sitemap answered"] = time.monotonic()
        return answer

    def first_article(hit: Hit) -> None:
        with lock:
            moments.setdefault("first article", time.monotonic())
        return None  # answered normally

    slow_path = "/sitemap/news/slow.xml"
    plan = FaultPlan(
        Rule(ff.sitemap_index_plus(lambda hit: [hit.base_url + slow_path]), exact("/sitemap.xml")),
        Rule(slow_sitemap, exact(slow_path), name="slow_sitemap"),
        Rule(first_article, lambda target: site.by_path(target.split("?")[0]) is not None, name="article"),
    )
    with plan.serve(site) as portal:
        result = crawl(portal, tmp_path, "--discovery-budget", "1", "--timeout", "20")
        base = portal.base_url
    assert result.returncode == 0, result.stderr
    assert moments["first article"] < moments["sitemap answered"] - 2
    assert last_report(tmp_path)["counts"]["discovery_over_budget"] == 1
    assert written_all(tmp_path, site, base)


def test_discovery_limits_are_checked(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from scraper.cli.app import app

    for option, value in (("--max-sitemaps", "0"), ("--sitemap-depth", "-1"), ("--discovery-budget", "0")):
        result = CliRunner().invoke(app, ["crawl", "viva", option, value, "-o", str(tmp_path)])
        assert result.exit_code == 2 and option in result.stderr, result.stderr
