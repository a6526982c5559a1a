"""Fault injection in the replica (scraper.replica.faults), and crawls that survive it: a 1,000-article
crawl through 10% transient failures, Retry-After honoured for the whole host, and a moved article's
meta refresh followed."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from scraper.replica import ReplicaSite, Response
from scraper.replica.fault_spec import parse_faults
from scraper.replica.faults import (
    FaultPlan,
    Hit,
    Rule,
    articles,
    exact,
    huge,
    meta_refresh,
    reset,
    too_many_requests,
    transient,
    truncated,
)
from scraper.replica.pages import route
from tests.test_crawl import crawl, last_report, records

FAST = ("--backoff", "0.05", "--concurrency", "32")


def fault_sequence(plan: FaultPlan, targets: list[str]) -> list[int | None]:
    return [None if (response := plan(target)) is None else response.status for target in targets]


def test_plans_are_seeded_and_retries_recover() -> None:
    targets = [f"/berita/{i}-x" for i in range(500)] * 3  # three attempts of each
    first = fault_sequence(FaultPlan(Rule(transient(), rate=0.1, attempts=2), seed=7), targets)
    again = fault_sequence(FaultPlan(Rule(transient(), rate=0.1, attempts=2), seed=7), targets)
    other = fault_sequence(FaultPlan(Rule(transient(), rate=0.1, attempts=2), seed=8), targets)
    assert first == again and first != other
    first_attempts = first[:500]
    assert 30 <= sum(status is not None for status in first_attempts) <= 70  # about 10%
    assert {status for status in first if status is not None} == {0, 500, 502, 503}  # 0: a reset
    assert all(status is None for status in first[1000:])  # the third attempt always succeeds


def test_parse_faults_syntax() -> None:
    site = ReplicaSite(40, seed=1)
    plan = parse_faults("transient:0.1:seed=7,slow:0.5:seconds=2:path=/berita", site)
    assert plan.seed == 7 and [r.name for r in plan.rules] == ["transient", "slow"]
    assert plan.rules[0].attempts == 2 and plan.rules[1].rate == 0.5 and plan.rules[1].attempts is None
    assert len(parse_faults("hostile", site).rules) > 15
    assert parse_faults("", site).rules == ()
    for bad in ("nonsense", "slow:fast", "429:retry_after=soon"):
        with pytest.raises(ValueError):
            parse_faults(bad, site)


def test_server_resets_streams_and_truncates() -> None:
    site = ReplicaSite(3, seed=1)
    big = 50 * 1024 * 1024
    plan = FaultPlan(
        Rule(reset(), exact("/reset")), Rule(huge(big, declared=False), exact("/huge")),
        Rule(truncated(), articles(site)),
    )  # fmt: skip
    with plan.serve(site) as portal, httpx.Client(base_url=portal.base_url, timeout=10) as client:
        with pytest.raises(httpx.TransportError):
            client.get("/reset")
        with client.stream("GET", "/huge") as response:  # streamed by the server, counted here
            assert "content-length" not in response.headers
            assert sum(len(chunk) for chunk in response.iter_raw()) == big
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(site.article(0).path)
        assert client.get("/robots.txt").status_code == 200  # the hook serves the rest normally


def test_transient_failures_lose_nothing_on_a_1000_article_crawl(tmp_path: Path) -> None:
    """10% of requests fail (500/502/503/reset, seeded); retries recover every one of them."""
    site = ReplicaSite(1000, seed=5)
    plan = parse_faults("transient:0.1:seed=7", site)
    started = time.monotonic()
    with plan.serve(site) as portal:
        result = crawl(portal, tmp_path, *FAST)
        requests, base = len(portal.requests_log), portal.base_url
    assert result.returncode == 0, result.stderr
    injected = plan.injected["transient"]
    assert 0.07 * requests <= injected <= 0.13 * requests
    by_url: dict[str, str] = {}
    for record in records(tmp_path):
        assert record["url"] not in by_url, f"written twice: {record['url']}"
        by_url[record["url"]] = record["text"]
    assert by_url == {base + article.path: article.body_text for article in site.iter_articles()}
    counts = last_report(tmp_path)["counts"]
    assert counts["written"] == 1000 and counts["failed"] == {} and counts["retried"] > 0
    assert time.monotonic() - started < 90


def test_retry_after_pauses_the_whole_host(tmp_path: Path) -> None:
    """A 429 with Retry-After: 2 mid-crawl: no request reaches the host for the next 2 seconds.

    The 429 is answered after 0.3 s, so other requests are in flight when it arrives (their 200s
    make AutoThrottle shrink the slot delay, which alone would let requests out early)."""
    site = ReplicaSite(200, seed=2)
    throttled = site.article(100).path
    sent: list[float] = []

    def late_429(hit: Hit) -> Response:
        time.sleep(0.3)
        sent.append(time.monotonic())
        return too_many_requests(2)(hit)

    plan = FaultPlan(Rule(late_429, exact(throttled), attempts=1))
    with plan.serve(site) as portal:
        result = crawl(portal, tmp_path, "--concurrency", "8")  # 16 in total: some wait in the slot
        log = list(portal.requests_log)
    assert result.returncode == 0, result.stderr
    # Requests the crawler sent before the 429 reached it (a few ms) may still arrive after it.
    during = [(round(t - sent[0], 3), target) for t, _, target in log if sent[0] + 0.15 < t < sent[0] + 2.0]
    assert during == []
    retried = [t for t, _, target in log if target.startswith(throttled)]
    assert len(retried) == 2 and retried[1] - sent[0] >= 2.0
    assert len(records(tmp_path)) == 200


def test_meta_refresh_on_a_full_size_page_is_followed(tmp_path: Path) -> None:
    """The crawl reads only the head of a page for a meta refresh (HeadMetaRefreshMiddleware):
    on a full-size article (~80 KB, beyond the 16 KiB it decodes) the tag is still found and
    followed, and the article is written once, under the address it was discovered at."""
    site = ReplicaSite(6, seed=4)
    moved = site.article(2)
    new_home = moved.path + "?page=all&moved=1"
    old_home = moved.path + "?page=all"
    plan = FaultPlan(Rule(meta_refresh(lambda hit: hit.base_url + new_home), lambda t: t == old_home))
    with plan.serve(site) as portal:
        result = crawl(portal, tmp_path)
        base = portal.base_url
    assert result.returncode == 0, result.stderr
    assert len(route(site, base, old_home).body) > 4 * 16_384
    assert plan.injected["0"] == 1 and plan.attempts[new_home] == 1
    by_url = {record["url"]: record["text"] for record in records(tmp_path)}
    assert by_url == {base + article.path: article.body_text for article in site.iter_articles()}


@pytest.mark.parametrize(
    "head",
    [
        '<meta http-equiv="Refresh" content="0; url=/moved">',
        "<META HTTP-EQUIV='refresh' CONTENT='5;URL=http://127.0.0.1:1/moved'>",
        "<script>var autorefresh = 1;</script>",  # the word, no tag: Scrapy's check decides
        "",
    ],
)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_head_meta_refresh_answers_as_scrapy_does(head: str, encoding: str) -> None:
    from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from scraper.crawl.components import HeadMetaRefreshMiddleware

    site = ReplicaSite(3, seed=1)
    page = route(site, "http://127.0.0.1:1", site.article(0).path + "?page=all").body.decode()
    body = page.replace("<head>", "<head>" + head, 1).replace('charset="utf-8"', "").encode(encoding)
    request = Request("http://127.0.0.1:1/a")
    response = HtmlResponse(request.url, body=body, request=request)
    crawler = get_crawler()
    theirs = MetaRefreshMiddleware.from_crawler(crawler).process_response(request, response)
    ours = HeadMetaRefreshMiddleware.from_crawler(crawler).process_response(request, response)
    assert type(ours) is type(theirs) and getattr(ours, "url", None) == getattr(theirs, "url", None)
    assert ("moved" in head) == (getattr(ours, "url", "").endswith("/moved"))
