"""`scraper scrape`: one-off fetch over httpx, same clean_page, multi-page aware (loopback replica)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from scraper.cli.app import app
from scraper.replica import ReplicaArticle, ReplicaPortal, ReplicaSite
from scraper.replica.pages import route

runner = CliRunner()


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return ReplicaSite(25, seed=1)


@pytest.fixture(scope="module")
def portal(site: ReplicaSite) -> Iterator[ReplicaPortal]:
    with ReplicaPortal(site) as running:
        yield running


def split_article(site: ReplicaSite) -> ReplicaArticle:
    return next(a for a in site.iter_articles() if len(a.pages) == 3)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_scrape_one_multipage_article(portal: ReplicaPortal, site: ReplicaSite, tmp_path: Path) -> None:
    article = split_article(site)
    out = tmp_path / "one.jsonl"
    url = portal.base_url + article.path
    result = runner.invoke(app, ["scrape", url, "--portal", "viva", "-o", str(out)])
    assert result.exit_code == 0, result.output
    (line,) = out.read_bytes().splitlines()
    record = orjson.loads(line)
    assert record["url"] == url
    assert record["portal"] == "viva" and record["title"] == article.title
    assert record["text"] == article.body_text  # all three pages, in order
    assert not [teaser for teaser in article.teasers if teaser in record["text"]]
    assert portal.hits[article.path + "?page=all"] >= 1


def test_scrape_follows_the_pager_when_page_all_is_ignored(site: ReplicaSite, tmp_path: Path) -> None:
    article = split_article(site)
    box: dict[str, str] = {}

    def ignore_page_all(target: str):  # a portal version without the one-page view
        if target.endswith("?page=all"):
            return route(site, box["base"], target.removesuffix("?page=all"))
        return None

    with ReplicaPortal(site, faults=ignore_page_all) as portal:
        box["base"] = portal.base_url
        result = runner.invoke(app, ["scrape", portal.base_url + article.path, "--portal", "viva"])
        hits = dict(portal.hits)
    assert result.exit_code == 0, result.output
    record = orjson.loads(result.stdout.splitlines()[0])
    assert record["pages"] == 3
    assert record["text"] == article.body_text
    assert hits[article.path + "?page=2"] == 1 and hits[article.path + "?page=3"] == 1


def test_scrape_failures_are_reported_and_all_failed_exits_1(portal: ReplicaPortal, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    missing = portal.base_url + "/berita/1-tidak-ada"
    refused = f"http://127.0.0.1:{free_port()}/berita/2-tutup"
    result = runner.invoke(app, ["scrape", missing, refused, "--rejects", str(rejects), "--timeout", "5"])
    assert result.exit_code == 1
    assert "HTTP 404" in result.stderr and "ConnectError" in result.stderr
    assert "Traceback" not in result.output
    records = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert [r["url"] for r in records] == [missing, refused]
    assert all(r["reason"] == "error" and r["detail"].startswith("fetch failed") for r in records)


def test_scrape_partial_success_exits_zero(portal: ReplicaPortal, site: ReplicaSite) -> None:
    good = portal.base_url + site.article(0).path
    result = runner.invoke(app, ["scrape", good, "ftp://example/x", "--portal", "viva"])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 1
    assert "not an http(s) URL" in result.stderr


def test_scrape_unknown_portal_is_a_usage_error() -> None:
    result = runner.invoke(app, ["scrape", "http://127.0.0.1/1-x", "--portal", "nope"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: unknown portal 'nope'"
