"""End-to-end crawls of the loopback replica through the CLI (one process per crawl: Twisted's
reactor cannot be restarted), plus the small pure parts of the crawl (dates, Retry-After)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from cleaners.teasers import normalise_headline
from scraper.cli.app import app
from scraper.cli.options import parse_when
from scraper.crawl.components import retry_after_seconds
from scraper.crawl.config import CrawlConfig
from scraper.crawl.engine import scrapy_settings
from scraper.crawl.state import PortalLock
from scraper.errors import ConfigError
from scraper.replica import ReplicaPortal, ReplicaSite, Response
from scraper.replica.pages import route
from spiders.viva import VivaSpider, parse_printed_date
from tests.edited_site import UPDATE_NOTE, EditedSite

REPO = Path(__file__).resolve().parents[1]
WIB = timezone(timedelta(hours=7))
N = 25


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "scraper.cli", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def crawl(portal: ReplicaPortal, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    fast = ("--concurrency", "16", "--delay", "0", "-q")  # loopback: no politeness delay needed
    return run_cli("crawl", "viva", "--base-url", portal.base_url, "-o", str(out), *fast, *extra)


def records(out: Path) -> list[dict[str, Any]]:
    return [
        orjson.loads(line)
        for path in sorted((out / "viva").glob("2*.jsonl"))
        for line in path.read_bytes().splitlines()
    ]


def last_report(out: Path) -> dict[str, Any]:
    return orjson.loads(max((out / "viva").glob("run-*.json"), key=lambda p: p.stat().st_mtime).read_bytes())


def article_paths_requested(portal: ReplicaPortal) -> set[str]:
    return {target.split("?")[0] for target in portal.hits if portal.site.by_path(target) is not None}


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return ReplicaSite(N, seed=1)


@pytest.fixture(scope="module")
def first_crawl(site: ReplicaSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    out = tmp_path_factory.mktemp("crawl")
    with ReplicaPortal(site) as portal:
        result = crawl(portal, out)
        yield portal, out, result


def test_every_article_is_written_exactly_once(first_crawl: Any, site: ReplicaSite) -> None:
    portal, out, result = first_crawl
    assert result.returncode == 0, result.stderr
    urls = [record["url"] for record in records(out)]
    assert sorted(urls) == sorted(portal.base_url + a.path for a in site.iter_articles())
    report = last_report(out)
    assert report["ok"] and report["counts"]["written"] == N and report["counts"]["rejected"] == {}
    assert "viva done: 25 articles written" in result.stderr


def test_text_is_the_gold_text_multipage_complete_and_in_order(first_crawl: Any, site: ReplicaSite) -> None:
    portal, out, _ = first_crawl
    by_url = {record["url"]: record for record in records(out)}
    multipage = [a for a in site.iter_articles() if len(a.pages) > 1]
    assert multipage, "the replica should have split articles"
    for article in site.iter_articles():
        record = by_url[portal.base_url + article.path]
        assert record["text"] == article.body_text, article.path
        assert record["title"] == article.title and record["portal"] == "viva"


def test_no_teaser_string_in_any_record(first_crawl: Any, site: ReplicaSite) -> None:
    portal, out, _ = first_crawl
    by_url = {record["url"]: record for record in records(out)}
    leaks = [
        (article.index, teaser)
        for article in site.iter_articles()
        for teaser in article.teasers
        if teaser in by_url[portal.base_url + article.path]["text"]
    ]
    assert leaks == []


def test_files_are_named_by_published_day_in_portal_time(first_crawl: Any, site: ReplicaSite) -> None:
    _, out, _ = first_crawl
    expected = {
        datetime.fromisoformat(a.published).astimezone(WIB).date().isoformat() for a in site.iter_articles()
    }
    assert {p.stem for p in (out / "viva").glob("2*.jsonl")} == expected


def test_feed_titles_fill_the_headline_index(first_crawl: Any, site: ReplicaSite) -> None:
    _, out, _ = first_crawl
    with sqlite3.connect(out / "viva" / "state.sqlite") as db:
        keys = {key for (key,) in db.execute("SELECT key FROM headlines")}
    assert keys == {normalise_headline(a.title) for a in site.iter_articles()}


def test_article_urls_are_the_portals_own() -> None:
    spider = VivaSpider(base_url="http://127.0.0.1:8000")
    article = "http://127.0.0.1:8000/berita/123-judul"
    assert spider.article_url(article + "?page=2#komentar") == article
    assert spider.article_url("https://jabar.viva.co.id/berita/123-judul") is not None  # a VIVA sub-site
    assert spider.article_url("https://viva.co.id.example/berita/123-judul") is None
    assert spider.article_url("https://www.detik.com/berita/123-judul") is None
    assert spider.article_url("http://127.0.0.1:8000/tag/banjir") is None  # a hub, not an article
    assert spider.article_url("javascript:void(0)") is None


def test_second_run_fetches_and_writes_nothing_new(first_crawl: Any) -> None:
    portal, out, _ = first_crawl
    before = sorted(records(out), key=lambda r: r["url"])
    # As if a crawl was killed between a write and its state commit, with half a line written:
    db = sqlite3.connect(out / "viva" / "state.sqlite")
    with db:
        db.execute("DELETE FROM seen WHERE url IN (SELECT url FROM seen LIMIT 3)")
        db.execute("DELETE FROM outputs")
    db.close()
    newest = max((out / "viva").glob("2*.jsonl"))
    with newest.open("ab") as handle:
        handle.write(b'{"url": "http://torn')
    portal.reset_counters()
    result = crawl(portal, out)
    assert result.returncode == 0, result.stderr
    assert sorted(records(out), key=lambda r: r["url"]) == before
    assert article_paths_requested(portal) == set()
    counts = last_report(out)["counts"]
    assert counts["written"] == 0 and counts["skipped_seen"] == N and counts["reconciled"] == 3


def test_refresh_refetches_edited_articles_whichever_source_lists_them_first(tmp_path: Path) -> None:
    site = ReplicaSite(40, seed=3)
    with ReplicaPortal(site) as portal:
        assert crawl(portal, tmp_path).returncode == 0
        # RSS and /indeks list every article of this small site without a lastmod, and are read
        # before the news sitemaps (one hop further): the sitemap's newer lastmod must still count.
        touched, changed = {0, 3, 17, 39}, {3, 39}
        portal.site = EditedSite(site, datetime.now(UTC) + timedelta(minutes=1), touched, changed)
        portal.reset_counters()
        result = crawl(portal, tmp_path, "--refresh")
        assert result.returncode == 0, result.stderr
        assert article_paths_requested(portal) == {site.ref(i).path for i in touched}
        base_url = portal.base_url
    counts = last_report(tmp_path)["counts"]
    assert counts["written"] == 2 and counts["duplicates"] == 2 and counts["skipped_seen"] == 36
    newest = {r["url"]: r for r in sorted(records(tmp_path), key=lambda r: r["fetched_at"])}
    assert len(newest) == 40
    updated = {url for url, r in newest.items() if r["text"].endswith(UPDATE_NOTE.strip())}
    assert updated == {base_url + site.ref(i).path for i in changed}


def test_since_excludes_older_articles_before_any_request(site: ReplicaSite, tmp_path: Path) -> None:
    with ReplicaPortal(site) as portal:
        result = crawl(portal, tmp_path, "--since", site.article(9).published)
        requested, base = article_paths_requested(portal), portal.base_url
    assert result.returncode == 0, result.stderr
    newest = {site.article(i).path for i in range(10)}
    assert {r["url"].removeprefix(base) for r in records(tmp_path)} == newest
    assert requested == newest  # no request at all for the 15 older articles
    assert last_report(tmp_path)["counts"]["skipped_out_of_window"] == N - 10


def test_max_articles_takes_the_newest(site: ReplicaSite, tmp_path: Path) -> None:
    with ReplicaPortal(site) as portal:
        result = crawl(portal, tmp_path, "--max-articles", "4")
        requested, base = article_paths_requested(portal), portal.base_url
    assert result.returncode == 0, result.stderr
    newest = {site.article(i).path for i in range(4)}
    assert {r["url"].removeprefix(base) for r in records(tmp_path)} == newest
    assert requested == newest


def test_429_retry_after_is_honoured_and_pagers_are_followed(site: ReplicaSite, tmp_path: Path) -> None:
    """One crawl, two server quirks: a 429 with Retry-After: 1 on the first request of the newest
    article, and ?page=all ignored everywhere, so split articles must be walked page by page."""
    throttled = site.article(0).path + "?page=all"
    box: dict[str, str] = {}

    def quirks(target: str) -> Response | None:
        if target == throttled and not box.get("throttled"):
            box["throttled"] = "yes"
            return Response(429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"slow down")
        if target.endswith("?page=all"):
            return route(site, box["base"], target.removesuffix("?page=all"))
        return None

    with ReplicaPortal(site, faults=quirks) as portal:
        box["base"] = portal.base_url
        result = crawl(portal, tmp_path, "--max-articles", "4")
        times = [t for t, _, requested in portal.requests_log if requested == throttled]
        hits = dict(portal.hits)
    assert result.returncode == 0, result.stderr
    assert len(times) == 2 and times[1] - times[0] >= 1.0
    assert last_report(tmp_path)["counts"]["retried"] == 1
    by_path = {r["url"].removeprefix(box["base"]): r for r in records(tmp_path)}
    articles = [site.article(i) for i in range(4)]
    assert sorted(len(a.pages) for a in articles) == [1, 1, 2, 3]
    for article in articles:
        record = by_path[article.path]
        assert record["pages"] == len(article.pages)
        assert record["text"] == article.body_text
    split = next(a for a in articles if len(a.pages) == 3)
    assert hits[split.path + "?page=2"] == 1 and hits[split.path + "?page=3"] == 1


def test_lock_held_by_another_crawl_fails_clearly(site: ReplicaSite, tmp_path: Path) -> None:
    with ReplicaPortal(site) as portal, PortalLock(tmp_path / "viva", "viva"):
        result = crawl(portal, tmp_path)
    assert result.returncode == 2
    assert f"another crawl of viva is running (pid {os.getpid()}" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_portal_exits_non_zero(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_cli("crawl", "viva", "--base-url", f"http://127.0.0.1:{port}", "-o", str(tmp_path),
                     "--retries", "0", "--delay", "0", "-q")  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "FAILED: nothing reachable" in result.stderr
    report = last_report(tmp_path)
    assert not report["ok"] and report["counts"]["failed"]["connection"] >= 3


def test_demo_crawls_the_replica_and_shows_records(tmp_path: Path) -> None:
    result = run_cli("demo", "--articles", "8", "-o", str(tmp_path), "--show", "2")
    assert result.returncode == 0, result.stderr
    assert "8 articles written" in result.stderr
    site = ReplicaSite(8, seed=1)
    assert site.article(0).title in result.stdout or site.article(1).title in result.stdout
    assert len(records(tmp_path)) == 8


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl", "nope"], "error: no spider for portal 'nope'; known: antaranews, cnnindonesia, detik,"),
        (["crawl"], "error: give a portal (see `scraper portals`), all, or --site URL"),
        (["crawl", "viva", "detik", "--base-url", "http://127.0.0.1:1"], "give PORTAL=URL for one of them"),
        (
            ["crawl", "viva", "detik", "--redis", "redis://127.0.0.1:1/0"],
            "--redis crawls one portal at a time",
        ),
        (["crawl", "--site", "example.com"], "--site 'example.com' is not an http(s) URL"),
        (["crawl", "viva", "--since", "last tuesday"], "error: bad date 'last tuesday' for --since"),
        (["crawl", "viva", "--since", "2026-11-02", "--until", "2026-11-01"], "is not before --until"),
        (["crawl", "viva", "--max-articles", "0"], "--max-articles 0: must be at least 1"),
        (["crawl", "viva", "--base-url", "ftp://x"], "is not an http(s) URL"),
    ],
)
def test_bad_crawl_options_are_one_line_errors(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [*args, "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unwritable_output_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(app, ["crawl", "viva", "-o", str(blocker)])
    assert result.exit_code == 2
    assert "cannot create output folder" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_polite_defaults() -> None:
    settings = scrapy_settings(CrawlConfig("viva", Path("output")), ctx=None)  # type: ignore[arg-type]
    assert settings["ROBOTSTXT_OBEY"] and settings["AUTOTHROTTLE_ENABLED"]
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 8 and settings["RETRY_TIMES"] == 3
    assert re.fullmatch(
        r"news-scraper/\d+\.\d+\.\d+ \(\+https://\S+; contact in README\)", settings["USER_AGENT"]
    )
    assert settings["REMOTE_CONTROL_ENABLED"] is False and settings["TELNETCONSOLE_ENABLED"] is False


def test_parse_when_forms() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert parse_when("2d", WIB, "--since", now=now) == now - timedelta(days=2)
    assert parse_when("2026-11-01", WIB, "--since") == datetime(2026, 11, 1, tzinfo=WIB)
    assert parse_when("2026-11-01", WIB, "--until", end=True) == datetime(2026, 11, 2, tzinfo=WIB)
    assert parse_when("2026-11-01T08:00", WIB, "--since") == datetime(2026, 11, 1, 8, tzinfo=WIB)
    assert parse_when("2026-11-01T01:00Z", WIB, "--since") == datetime(2026, 11, 1, 1, tzinfo=UTC)
    with pytest.raises(ConfigError):
        parse_when("yesterday", WIB, "--since")


def test_retry_after_values() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 25 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Wed, 25 Nov 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None


def test_printed_index_dates() -> None:
    assert parse_printed_date("Jumat, 20 November 2026 - 08:00 WIB", WIB) == datetime(
        2026, 11, 20, 8, tzinfo=WIB
    )
    wita = timezone(timedelta(hours=8))
    assert parse_printed_date("Senin, 2 Agustus 2021 | 10.15 WITA", WIB) == datetime(
        2021, 8, 2, 10, 15, tzinfo=wita
    )
    yesterday = parse_printed_date("kemarin", WIB)  # relative dates on index pages are read too
    assert yesterday is not None
    assert timedelta(hours=23) < datetime.now(WIB) - yesterday < timedelta(hours=25)
    assert parse_printed_date("bukan tanggal", WIB) is None
