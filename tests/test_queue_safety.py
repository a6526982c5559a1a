"""A hostile Redis neighbour (issue 12, item 1): whoever can write to the crawl's Redis database
must not run code as the workers, point them off the portal, or wedge them.

Requests are stored as signed data (scraper.distributed.request_codec); an entry the job did not
write (a crafted pickle here) is never loaded but moved to the dead letters, counted, and the
worker goes on and still stops at --idle-exit. A job with a base URL off the portal, or signed
with another secret, is refused with one line. Real redis-server and replica on loopback.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from scrapy import Request

from scraper.crawl.feeds import FeedEntry
from scraper.crawl.items import Window
from scraper.replica import ReplicaPortal, ReplicaSite
from tests import test_distributed
from tests.test_distributed import REPO, SECRET, worker

redis = pytest.importorskip("redis")

from scraper.distributed.request_codec import RequestCodec, Undecodable  # noqa: E402
from scraper.distributed.shared_state import SharedState  # noqa: E402

redis_server, redis_url = test_distributed.redis_server, test_distributed.redis_url  # their fixtures


class _RunsCode:
    """A pickle that runs a shell command when loaded (the 118-byte attack of the review)."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (self.command,))


class _Spider:
    def parse_article(self, response: object) -> None: ...

    def article_failed(self, failure: object) -> None: ...


def article_request(codec: RequestCodec, url: str) -> bytes:
    meta = {"article": url, "entry": FeedEntry(url, "judul"), "bodies": []}
    return codec.encode(Request(url + "?page=all", meta=meta, priority=20), "parse_article", "article_failed")


def publish_job(url: str, base_url: str | None, secret: str = SECRET) -> redis.Redis:
    """A coordinator's job in Redis (signed with `secret`), its discovery already over."""
    client = redis.Redis.from_url(url)
    coordinator = SharedState(client, "viva", "coordinator", secret=secret.encode())
    assert coordinator.begin_discovery(Window(), base_url) is None
    coordinator.end_discovery()
    return client


def queue(client: redis.Redis, *entries: bytes) -> None:
    client.zadd("news:viva:queue", {entry: n for n, entry in enumerate(entries)})


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return ReplicaSite(3, seed=11)


def test_a_crafted_pickle_never_runs_and_lands_in_the_dead_letters(
    site: ReplicaSite, redis_url: str, tmp_path: Path
) -> None:
    marker = tmp_path / "owned"
    attack = pickle.dumps(_RunsCode(f"touch {marker}"))
    with ReplicaPortal(site) as portal:
        client = publish_job(redis_url, portal.base_url)
        good = portal.base_url + site.article(0).path
        queue(client, attack, article_request(RequestCodec(SECRET.encode(), _Spider()), good))
        started = time.monotonic()
        process = worker(tmp_path, redis_url, "--idle-exit", "1", portal=portal)
        _, stderr = process.communicate(timeout=90)
    assert not marker.exists(), "the pickle ran"
    assert process.returncode == 0, stderr
    assert time.monotonic() - started < 60  # it went on, and stopped at --idle-exit
    assert "Traceback" not in stderr and "news:viva:dead" in stderr
    assert client.lrange("news:viva:dead", 0, -1) == [attack]
    assert client.zcard("news:viva:queue") == 0 and client.keys("news:viva:processing:*") == []
    (report,) = [orjson.loads(p.read_bytes()) for p in (tmp_path / "viva").glob("run-*.json")]
    assert report["counts"]["dead_letter"] == 1 and report["counts"]["written"] == 1
    (line,) = [
        orjson.loads(x) for p in (tmp_path / "viva").glob("2*.jsonl") for x in p.read_bytes().splitlines()
    ]
    assert line["url"] == good


def test_a_worker_refuses_a_job_off_the_portal_with_one_line(
    site: ReplicaSite, redis_url: str, tmp_path: Path
) -> None:
    client = publish_job(redis_url, "http://10.0.0.1:8080")  # signed: a coordinator gone wrong
    entry = article_request(RequestCodec(SECRET.encode(), _Spider()), "http://10.0.0.1:8080/berita/1-x")
    queue(client, entry)
    with ReplicaPortal(site) as portal:
        process = worker(tmp_path, redis_url, "--idle-exit", "1", portal=portal)
        _, stderr = process.communicate(timeout=90)
    assert process.returncode == 2, stderr
    (message,) = [line for line in stderr.splitlines() if line.strip()][-1:]
    assert message.startswith("error: the job's base URL http://10.0.0.1:8080 is not on viva's hosts")
    assert "Traceback" not in stderr
    # Nothing was taken from the queue, or fetched: the entry is back for a worker that may.
    assert client.zrange("news:viva:queue", 0, -1) == [entry] and client.llen("news:viva:dead") == 0


def test_a_job_signed_with_another_secret_stops_the_worker_instead_of_burying_the_queue(
    site: ReplicaSite, redis_url: str, tmp_path: Path
) -> None:
    other = "another-secret-than-the-workers"
    with ReplicaPortal(site) as portal:
        client = publish_job(redis_url, portal.base_url, secret=other)
        entry = article_request(
            RequestCodec(other.encode(), _Spider()), portal.base_url + site.article(0).path
        )
        queue(client, entry)
        process = worker(tmp_path, redis_url, "--idle-exit", "1", portal=portal)
        _, stderr = process.communicate(timeout=90)
        hits = sum(portal.hits.values())
    assert process.returncode == 2 and "not signed with this process's secret" in stderr, stderr
    assert client.zrange("news:viva:queue", 0, -1) == [entry] and client.llen("news:viva:dead") == 0
    assert hits == 0


def test_a_distributed_crawl_without_a_secret_is_one_line(redis_url: str, tmp_path: Path) -> None:
    env_free = {k: v for k, v in os.environ.items() if k != "NEWS_REDIS_SECRET"}
    result = subprocess.run(
        [sys.executable, "-m", "scraper.cli", "worker", "viva", "-o", str(tmp_path), "--redis", redis_url, "-q"],
        cwd=REPO, env={**env_free, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert (
        result.stderr.startswith("error: a distributed crawl needs a secret")
        and result.stderr.count("\n") == 1
    )


def test_requests_round_trip_as_data_and_anything_else_is_refused() -> None:
    codec = RequestCodec(SECRET.encode(), _Spider())
    url = "http://127.0.0.1:1/berita/1-x"
    entry = FeedEntry(url, "Judul", Window().since, None, ("a", "b"))
    request = Request(url + "?page=2", meta={"article": url, "entry": entry, "bodies": [b"\x00\xff<p>", b""],
                                             "redirect_urls": [url], "$odd": ("t", 1)},
                      headers={"Referer": url}, priority=30, dont_filter=True)  # fmt: skip
    stored = codec.encode(request, "parse_article", "article_failed")
    back = codec.decode(stored)
    assert back.url == request.url and back.priority == 30 and back.dont_filter
    assert back.meta == request.meta and back.headers.get("Referer") == url.encode()
    assert back.callback.__name__ == "parse_article" and back.errback.__name__ == "article_failed"
    mac, payload = stored[3:67], stored[68:]
    for bad in (
        pickle.dumps(request.meta),
        stored[:-2] + b"]}",  # tampered payload
        b"n1." + mac + b"." + payload.replace(b"parse_article", b"parse_robots_"),
        RequestCodec(b"other-secret-xxxxxxxx", _Spider()).encode(request, "parse_article", None),
    ):
        with pytest.raises(Undecodable):
            codec.decode(bad)
    # Signed, but naming something that is not a public spider method, or a class to import.
    for forged in ({"url": url, "callback": "__init__"}, {"url": url, "callback": "nope"}):
        data = orjson.dumps(forged)
        with pytest.raises(Undecodable):
            codec.decode(b"n1." + codec.sign(data) + b"." + data)
    with pytest.raises(TypeError):  # what is not plain data is never queued (nor pickled)
        codec.encode(Request(url, meta={"thing": object()}), None, None)
    data = orjson.dumps({"url": url, "_class": "os.system"})
    assert type(codec.decode(b"n1." + codec.sign(data) + b"." + data)) is Request
