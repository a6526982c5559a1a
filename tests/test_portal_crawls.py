"""Every portal spider crawls its replica end to end through the CLI (scraper/replica/family*.py:
the portal's URL shapes, discovery sources and article markup, made from its rules and fixture),
then all portals again side by side in one `scraper crawl all` run, which must write nothing.
Also several portals and a site crawled together, a held lock, and `scraper portals`."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest

from cleaners.portals import portal_by_name
from scraper.crawl.state import PortalLock
from scraper.replica import ReplicaPortal, ReplicaSite, Response
from scraper.replica.family import FamilySite
from scraper.replica.family_layout import FamilyLayout
from scraper.replica.plain_site import PlainSite
from tests.test_crawl import run_cli
from tests.test_portals import PORTALS

N = 30  # two index pages, under one feed's 50 items
FAST = ("--concurrency", "16", "--delay", "0", "-q")  # loopback: no politeness delay needed
FAMILY = [name for name in PORTALS if name != "viva"]


def records(folder: Path) -> list[dict[str, Any]]:
    return [
        orjson.loads(line)
        for path in sorted(folder.glob("2*.jsonl"))
        for line in path.read_bytes().splitlines()
    ]


def last_report(folder: Path) -> dict[str, Any]:
    return orjson.loads(max(folder.glob("run-*.json"), key=lambda p: p.stat().st_mtime).read_bytes())


def article_hits(portal: ReplicaPortal) -> int:
    return sum(n for target, n in portal.hits.items() if portal.site.by_path(target) is not None)


class Replicas:
    """One replica per portal (VIVA's own, the others from their rules and fixtures), each crawled
    once on first use into a shared output folder."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.portals: dict[str, ReplicaPortal] = {}
        self.first: dict[str, Any] = {}

    def portal(self, name: str) -> ReplicaPortal:
        if name not in self.portals:
            site = ReplicaSite(N) if name == "viva" else FamilyLayout(FamilySite(name, N))
            self.portals[name] = ReplicaPortal(site).start()
        return self.portals[name]

    def crawled(self, name: str) -> Any:
        if name not in self.first:
            portal = self.portal(name)
            self.first[name] = run_cli(
                "crawl", name, "--base-url", portal.base_url, "-o", str(self.out), *FAST
            )
        return self.first[name]

    def stop(self) -> None:
        for portal in self.portals.values():
            portal.stop()


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    found = Replicas(tmp_path_factory.mktemp("family"))
    yield found
    found.stop()


@pytest.mark.parametrize("name", FAMILY)
def test_each_spider_crawls_its_replica(name: str, replicas: Replicas) -> None:
    result = replicas.crawled(name)
    assert result.returncode == 0, result.stderr
    assert f"{name} done: {N} articles written" in result.stderr
    portal, folder = replicas.portal(name), replicas.out / name
    site: FamilySite = portal.site.site  # type: ignore[union-attr]
    report = last_report(folder)
    assert report["ok"] and report["counts"]["rejected"] == {} and report["counts"]["failed"] == {}
    by_url = {}
    for record in records(folder):
        assert record["url"] not in by_url, f"written twice: {record['url']}"
        by_url[record["url"]] = record
    assert sorted(by_url) == sorted(portal.base_url + ref.path for ref in site.iter_refs())
    for ref in site.iter_refs():
        record = by_url[portal.base_url + ref.path]
        for key, value in site.expected(ref.index).items():  # dates, titles, text, authors
            assert record[key] == value, f"{name} {ref.path}: {key}"
        assert not [t for t in site.teasers(ref.index) if t in record["text"]]
    assert article_hits(portal) == N  # each article fetched once


@pytest.mark.parametrize("name", FAMILY)
def test_each_spider_reads_the_sources_its_rules_name(name: str, replicas: Replicas) -> None:
    replicas.crawled(name)
    rules = portal_by_name(name)
    assert rules is not None
    layout, hits = rules.discovery, replicas.portal(name).hits

    def path(source: str) -> str:
        parts = urlsplit(source)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    wanted = {"/robots.txt", *(path(s) for s in layout.sitemaps), *(path(f) for f in layout.feeds)}
    wanted |= set() if layout.sitemaps else {"/sitemap.xml", "/sitemap-news-1.xml"}  # generic fallbacks
    wanted |= set() if layout.feeds else {"/", "/feed"}
    if layout.index:  # page 2 only if page 1 listed articles the sitemaps had not
        wanted.add(path(layout.index).replace("{page}", "1"))
    assert wanted <= set(hits), sorted(wanted - set(hits))


def test_the_index_is_paged_when_it_lists_what_the_sitemaps_do_not(tmp_path: Path) -> None:
    site = FamilyLayout(FamilySite("detik", 45))
    gone = Response(404, {"Content-Type": "text/html"}, b"<html><body>404</body></html>")

    def only_the_index(target: str) -> Response | None:
        return gone if "sitemap" in target or target == "/feed" else None

    with ReplicaPortal(site, faults=only_the_index) as portal:
        result = run_cli("crawl", "detik", "--base-url", portal.base_url, "-o", str(tmp_path), *FAST)
        hits = dict(portal.hits)
    assert result.returncode == 0, result.stderr
    assert len(records(tmp_path / "detik")) == 45
    assert [hits.get(f"/indeks/{page}", 0) for page in (1, 2, 3, 4)] == [1, 1, 1, 0]
    assert last_report(tmp_path / "detik")["counts"]["failed"] == {"http_404": 4}  # 3 sitemaps, the feed


def test_all_portals_side_by_side_write_nothing_the_second_time(replicas: Replicas) -> None:
    for name in PORTALS:
        assert replicas.crawled(name).returncode == 0
        replicas.portal(name).reset_counters()
    bases = [f"--base-url={name}={replicas.portal(name).base_url}" for name in PORTALS]
    result = run_cli("crawl", "all", *bases, "-o", str(replicas.out), *FAST)
    assert result.returncode == 0, result.stderr
    assert f"total: {len(PORTALS)} portals, all done: 0 articles written" in result.stderr
    for name in PORTALS:
        counts = last_report(replicas.out / name)["counts"]
        assert counts["written"] == 0 and counts["skipped_seen"] == N, name
        assert article_hits(replicas.portal(name)) == 0, name
        assert f"{name} done: 0 articles written" in result.stderr


@pytest.fixture
def three(tmp_path: Path) -> Iterator[dict[str, ReplicaPortal]]:
    portals = {
        "viva": ReplicaPortal(ReplicaSite(20)),
        "detik": ReplicaPortal(FamilyLayout(FamilySite("detik", 20))),
        "tempo": ReplicaPortal(FamilyLayout(FamilySite("tempo", 20))),
        "site": ReplicaPortal(PlainSite(20)),
    }
    for portal in portals.values():
        portal.start()
    yield portals
    for portal in portals.values():
        portal.stop()


def test_portals_and_a_site_in_one_run(three: dict[str, ReplicaPortal], tmp_path: Path) -> None:
    bases = [f"--base-url={n}={three[n].base_url}" for n in ("viva", "detik", "tempo")]
    site = three["site"].base_url
    result = run_cli("crawl", "viva", "detik", "tempo", "--site", site, *bases, "-o", str(tmp_path), *FAST)
    assert result.returncode == 0, result.stderr
    folders = ["viva", "detik", "tempo", f"127.0.0.1_{urlsplit(site).port}"]
    reports = [last_report(tmp_path / folder) for folder in folders]
    assert [r["counts"]["written"] for r in reports] == [20, 20, 20, 20]
    assert all(len(records(tmp_path / folder)) == 20 for folder in folders)
    assert "total: 4 portals, all done: 80 articles written" in result.stderr
    # each portal's own quality figures (the drift alarm's), not the run's pooled ones
    assert [r["quality"]["articles"] for r in reports] == [20, 20, 20, 20]
    assert [r["quality"]["body_selector_matched"] for r in reports] == [1.0, 1.0, 1.0, None]
    # side by side: every crawl had started before any had finished
    started = [datetime.fromisoformat(r["started"]) for r in reports]
    finished = [datetime.fromisoformat(r["finished"]) for r in reports]
    assert max(started) <= min(finished)


def test_a_portal_held_by_another_crawl_is_left_out(three: dict[str, ReplicaPortal], tmp_path: Path) -> None:
    bases = [f"--base-url={n}={three[n].base_url}" for n in ("viva", "detik")]
    with PortalLock(tmp_path / "viva", "viva"):
        result = run_cli("crawl", "viva", "detik", *bases, "-o", str(tmp_path), *FAST)
    assert result.returncode == 2
    assert f"viva skipped: another crawl of viva is running (pid {os.getpid()}" in result.stderr
    assert "detik done: 20 articles written" in result.stderr
    assert not list((tmp_path / "viva").glob("run-*.json"))


def test_portals_lists_every_portal(tmp_path: Path) -> None:
    listed = run_cli("portals", "--json")
    assert listed.returncode == 0, listed.stderr
    rows: list[dict[str, Any]] = json.loads(listed.stdout)
    assert [row["name"] for row in rows] == PORTALS
    by_name = {row["name"]: row for row in rows}
    assert all(row["spider"] and row["base_url"].startswith("https://") for row in rows)
    assert by_name["detik"]["discovery"]["index"] == "https://news.detik.com/indeks/{page}"
    assert by_name["okezone"]["discovery"]["generic"] == ["/sitemap.xml", "home page feed links"]
    assert by_name["viva"]["hosts"] == ["viva.co.id"] and by_name["viva"]["timezone"] == "+07:00"
    table = run_cli("portals")
    assert table.returncode == 0
    for name in PORTALS:
        assert name in table.stdout
    assert "scraper crawl --site URL" in table.stdout
