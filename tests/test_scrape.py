"""`scraper scrape`: one-off fetch over httpx, same clean_page, multi-page aware (loopback replica)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import pytest
from typer.testing import CliRunner

from scraper.cli.app import app
from scraper.replica import ReplicaArticle, ReplicaPortal, ReplicaSite
from scraper.replica.faults import redirect
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
    # The crawl's failure kinds, not `error` (kept for unexpected failures).
    assert [r["reason"] for r in records] == ["http_404", "connection"]
    assert all(r["detail"].startswith("fetch failed") for r in records)


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


# -- scope and time (issue 12, item 5) ------------------------------------------------------------


def test_redirects_and_pages_off_the_articles_host_are_refused(site: ReplicaSite, tmp_path: Path) -> None:
    """Every hop is checked by the crawl's rules: another port, localhost, [::1], 0.0.0.0, the
    integer form of 127.0.0.1, and a pager link to another server are never followed."""
    article = split_article(site)
    with ReplicaPortal(site) as sentinel:
        other = sentinel.base_url  # the same loopback host on another port

        def hop(target: str) -> str:
            return target.replace("PORT", str(urlsplit(box["base"]).port))

        box: dict[str, str] = {}
        targets = {
            "/berita/1-other-port": (f"{other}/berita/nasional/1999995-x", "offsite"),
            "/berita/2-localhost": ("http://localhost:PORT/berita/nasional/1999994-x", "offsite"),
            "/berita/3-ipv6": ("http://[::1]:PORT/berita/nasional/1999993-x", "private_address"),
            "/berita/4-any": ("http://0.0.0.0:PORT/berita/nasional/1999992-x", "private_address"),
            "/berita/5-integer": ("http://2130706433:PORT/berita/nasional/1999991-x", "offsite"),
            "/berita/6-scheme": ("file:///etc/passwd", "scheme"),
        }

        def hostile(target: str):
            path = target.split("?")[0]
            if path in targets:
                return redirect(lambda hit: hop(targets[path][0]))(None)  # type: ignore[arg-type]
            if path == article.path:  # page 1 whatever is asked, its pager pointing at the sentinel
                page = route(site, box["base"], article.path + "?page=1")
                pager = f'href="{other}{article.path}?page=2"'.encode()
                return page._replace(body=page.body.replace(b'href="?page=2"', pager))
            return None

        with ReplicaPortal(site, faults=hostile) as portal:
            box["base"] = portal.base_url
            urls = [portal.base_url + path for path in targets] + [portal.base_url + article.path]
            rejects = tmp_path / "rejects.jsonl"
            result = runner.invoke(app, ["scrape", *urls, "--portal", "viva", "--rejects", str(rejects)])
            own_hits = {t for t in portal.hits if t.endswith("-x")}  # the redirect targets
        sentinel_hits = sum(sentinel.hits.values())
    assert result.exit_code == 1 and "Traceback" not in result.output
    reasons = {r["url"]: r["reason"] for r in map(orjson.loads, rejects.read_bytes().splitlines())}
    expected = {box["base"] + path: reason for path, (_, reason) in targets.items()}
    assert reasons == {**expected, box["base"] + article.path: "offsite"}
    assert sentinel_hits == 0 and own_hits == set()


def drip_server(head: bytes, every: float, slow_head: bool) -> tuple[socket.socket, str]:
    """A server that sends `head` (one byte every `every` seconds if `slow_head`), then one byte of
    body every `every` seconds, for ever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = listener.accept()
                threading.Thread(target=drip, args=(connection,), daemon=True).start()

    def drip(connection: socket.socket) -> None:
        with contextlib.suppress(OSError), connection:
            connection.recv(65536)
            for piece in [head[i : i + 1] for i in range(len(head))] if slow_head else [head]:
                connection.sendall(piece)
                time.sleep(every if slow_head else 0)
            while True:
                connection.sendall(b"x")
                time.sleep(every)

    threading.Thread(target=serve, daemon=True).start()
    return listener, f"http://127.0.0.1:{listener.getsockname()[1]}/berita/nasional/1-drip"


@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_slow_drip_cannot_hold_a_scrape_past_its_timeout(where: str, tmp_path: Path) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000000\r\n\r\n"
    if where == "headers":
        head = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 100 + b"\r\n\r\n"
    listener, url = drip_server(head, 0.05 if where == "headers" else 0.2, slow_head=where == "headers")
    rejects = tmp_path / "rejects.jsonl"
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "scraper.cli", "scrape", url, "--timeout", "2", "--rejects", str(rejects)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        listener.close()
    assert time.monotonic() - started < 15  # ~2 s and the start-up
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (record,) = map(orjson.loads, rejects.read_bytes().splitlines())
    assert record["reason"] == "timeout" and "within 2s" in record["detail"]


def test_an_articles_deadline_bounds_all_its_requests(site: ReplicaSite, tmp_path: Path) -> None:
    """Three redirects of 0.8 s each, every one within --timeout 2: the article's --deadline of
    2 s ends it at the third."""
    article = site.article(1)
    hops = ["/berita/a-1", "/berita/b-2", "/berita/c-3", article.path]

    def slow_hops(target: str):
        path = target.split("?")[0]
        if path in hops[:-1]:
            time.sleep(0.8)
            return redirect(lambda hit: hops[hops.index(path) + 1])(None)  # type: ignore[arg-type]
        return None

    rejects = tmp_path / "rejects.jsonl"
    with ReplicaPortal(site, faults=slow_hops) as portal:
        url = portal.base_url + hops[0]
        result = runner.invoke(
            app, ["scrape", url, "--timeout", "2", "--deadline", "2", "--rejects", str(rejects)]
        )
        reached = portal.hits[hops[2]]
        late = portal.hits[article.path + "?page=all"] + portal.hits[article.path]
    assert result.exit_code == 1
    (record,) = map(orjson.loads, rejects.read_bytes().splitlines())
    assert record["reason"] == "timeout" and "deadline of 2s" in record["detail"]
    assert reached == 1 and late == 0


def test_dns_failures_are_dns() -> None:
    result = runner.invoke(app, ["scrape", "http://no-such-host.invalid/berita/1-x", "--timeout", "30"])
    assert result.exit_code == 1 and "failed http://no-such-host.invalid/berita/1-x: dns " in result.stderr


def test_a_redirect_to_a_malformed_url_is_a_failure_not_a_traceback(
    site: ReplicaSite, tmp_path: Path
) -> None:
    rejects, path = tmp_path / "rejects.jsonl", site.article(0).path
    malformed = redirect(lambda hit: "http://[::1")
    with ReplicaPortal(site) as moved:
        moved.faults = lambda target: malformed(None) if target.split("?")[0] == path else None  # type: ignore[arg-type]
        result = runner.invoke(
            app, ["scrape", moved.base_url + path, "--rejects", str(rejects), "--timeout", "5"]
        )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert [orjson.loads(line)["reason"] for line in rejects.read_bytes().splitlines()] == ["bad_url"]


def test_a_malformed_link_is_no_pager() -> None:
    from cleaners.multipage import next_page_url

    body = b'<p><a href="http://[::1">?page=2</a> <a href="/berita/1-x?page=2">2</a></p>'
    assert next_page_url(body, "https://a.test/berita/1-x?page=1") == "https://a.test/berita/1-x?page=2"
