"""A full disk (issue 12, item 2): a crawl into a small tmpfs stops at the first failed write with
one line, a non-zero exit and `finish_reason: "disk_full"`; nothing is counted as written that is
not on disk, no torn line is left, and once there is space a rerun completes with every article
exactly once. The tmpfs needs `mount` (root, or a container allowed to): skipped otherwise."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from scraper.errors import OutputError
from scraper.replica import ReplicaPortal, ReplicaSite
from tests import test_distributed
from tests.test_crawl import crawl, last_report, records

redis = test_distributed.redis
redis_server, redis_url = test_distributed.redis_server, test_distributed.redis_url  # their fixtures


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs of its own."""
    mount, umount = shutil.which("mount"), shutil.which("umount")
    folder = tmp_path / "disk"
    folder.mkdir()
    if mount is None or umount is None:
        pytest.skip("no mount command here")
    done = subprocess.run([mount, "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run([umount, "-l", str(folder)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """A filler file that leaves about `leave` bytes free on `disk`."""
    filler = disk / "filler"
    with filler.open("wb") as handle:
        free = shutil.disk_usage(disk).free
        handle.write(b"\0" * max(0, free - leave))
    return filler


def lines_on_disk(out: Path) -> list[bytes]:
    data = [path.read_bytes() for path in sorted((out / "viva").glob("2*.jsonl"))]
    assert all(chunk.endswith(b"\n") for chunk in data if chunk), "a torn line was left"
    return [line for chunk in data for line in chunk.splitlines()]


def state_written(out: Path) -> int:
    with sqlite3.connect(out / "viva" / "state.sqlite") as db:
        return db.execute("SELECT COUNT(*) FROM seen WHERE status = 'written'").fetchone()[0]


def test_a_full_disk_stops_the_crawl_with_one_line_and_a_rerun_loses_nothing(small_disk: Path) -> None:
    site, out = ReplicaSite(120, seed=8), small_disk / "out"
    filler = fill(small_disk, 300 * 1024)  # room for the state and some of the articles
    with ReplicaPortal(site) as portal:  # one portal for both runs: the same URLs
        first = crawl(portal, out)
        assert first.returncode == 1, first.stderr
        assert first.stderr.count("\n") == 1 and "Traceback" not in first.stderr
        assert first.stderr.startswith("error: no space left on the device writing "), first.stderr
        report = last_report(out)
        assert report["finish_reason"] == "disk_full" and report["ok"] is False
        kept = [orjson.loads(line) for line in lines_on_disk(out)]  # every line whole
        assert 0 < len(kept) < len(site)
        assert report["counts"]["written"] == len(kept) == state_written(out)
        assert f"the {len(kept)} articles written are complete" in first.stderr
        filler.unlink()  # space again
        second = crawl(portal, out)
        assert second.returncode == 0, second.stderr
        base = portal.base_url
    lines_on_disk(out)
    counts = Counter(record["url"] for record in records(out))
    assert [url for url, n in counts.items() if n > 1] == []
    gold = {base + article.path: article.body_text for article in site.iter_articles()}
    assert sorted(counts) == sorted(gold)
    assert [r["url"] for r in records(out) if r["text"] != gold[r["url"]]] == []
    assert state_written(out) == len(site)


def test_a_disk_full_before_the_start_is_one_line(small_disk: Path) -> None:
    fill(small_disk, 0)
    with ReplicaPortal(ReplicaSite(5, seed=8)) as portal:
        result = crawl(portal, small_disk / "out")
    assert result.returncode == 1
    assert result.stderr.startswith("error: no space left on the device") and result.stderr.count("\n") == 1


def test_a_worker_stops_writing_at_a_full_disk_and_claims_only_whole_lines(
    small_disk: Path, redis_url: str
) -> None:
    from datetime import UTC

    from cleaners.types import Article
    from scraper.crawl.state import StateStore
    from scraper.distributed.output import WorkerWriter
    from scraper.distributed.shared_state import SharedState

    shared = SharedState(redis.Redis.from_url(redis_url), "viva", "w1")
    fill(small_disk, 200 * 1024)
    with StateStore(small_disk / "state.w1.sqlite") as state:
        writer = WorkerWriter(small_disk, shared, state, UTC)
        stories = [Article(f"http://x/{n}", "viva", f"judul {n}", f"kata ke {n} " * 2000,
                           published_at="2026-11-20T08:00:00+07:00") for n in range(200)]  # fmt: skip
        written = 0
        with pytest.raises(OutputError) as failure:
            for story in stories:
                assert writer.write_article(story) is None
                written += 1
        assert failure.value.reason == "disk_full"
        with pytest.raises(OutputError):  # nothing is written after the first failure
            writer.write_article(stories[-1])
        writer.close()
    data = (small_disk / "2026-11-20.w1.jsonl").read_bytes()
    assert data.endswith(b"\n") and len(data.splitlines()) == written > 0
    assert shared.owners([s.url for s in stories[: written + 1]])[-1] is None  # the cut line: unclaimed
    assert None not in shared.owners([s.url for s in stories[:written]])


def test_clean_into_a_full_disk_is_one_line_and_leaves_whole_lines(small_disk: Path, tmp_path: Path) -> None:
    from tests.test_cli_clean import run

    site = ReplicaSite(40, seed=3)
    from scraper.replica.pages import route

    pages = tmp_path / "pages"
    pages.mkdir()
    for ref in site.iter_refs():
        (pages / f"{ref.index:03d}.html").write_bytes(route(site, "https://www.viva.co.id", ref.path).body)
    fill(small_disk, 20_000)  # room for a few records, not for 40
    out = small_disk / "articles.jsonl"
    done = run("clean", str(pages), "-o", str(out), "-j", "1", "-q")
    stderr = done.stderr.decode()
    assert done.returncode == 1, stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert "no space left on the device" in stderr
    data = out.read_bytes()
    assert data.endswith(b"\n") or not data, "a torn line was left"
    assert 0 < len(data.splitlines()) < 40


def test_scrape_into_a_full_disk_is_one_line(small_disk: Path) -> None:
    from tests.test_cli_clean import run

    site = ReplicaSite(3, seed=3)
    with ReplicaPortal(site) as portal:
        urls = [portal.base_url + ref.path for ref in site.iter_refs()]
        fill(small_disk, 0)
        done = run("scrape", *urls, "-o", str(small_disk / "one.jsonl"))
    stderr = done.stderr.decode()
    assert done.returncode == 1, stderr
    assert "Traceback" not in stderr and "no space left on the device" in stderr, stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
