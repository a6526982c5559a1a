"""Crawl state: seen URLs, headline log, reconcile after a kill, output dates, the portal lock."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest

from cleaners.teasers import normalise_headline
from cleaners.types import Article, Rejected, RejectReason
from scraper.crawl.clean_job import CleanJob, _HeadlineCaches, clean_job
from scraper.crawl.output_files import OutputWriter, output_day, reconcile
from scraper.crawl.state import PortalLock, StateStore
from scraper.errors import CrawlLockedError
from scraper.replica import ReplicaSite
from scraper.replica.article_page import render_article

WIB = timezone(timedelta(hours=7))


def article(url: str, text: str = "satu dua tiga", published: str | None = None) -> Article:
    return Article(url=url, portal="viva", title="T", text=text, published_at=published)


@pytest.fixture
def state(tmp_path: Path) -> StateStore:
    with StateStore(tmp_path / "viva" / "state.sqlite") as store:
        yield store


def test_state_uses_wal(state: StateStore) -> None:
    assert state.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_written_and_rejected_urls_are_skipped_failed_ones_retried(state: StateStore) -> None:
    state.mark("http://a/1-x", "written", "sha256:1")
    state.mark("http://a/2-x", "rejected", detail="too_short")
    state.mark("http://a/3-x", "failed", detail="timeout")
    assert state.should_skip("http://a/1-x") and state.should_skip("http://a/2-x")
    assert not state.should_skip("http://a/3-x") and not state.should_skip("http://a/4-x")
    assert state.has_content("sha256:1") and not state.has_content("sha256:2")


def test_refresh_refetches_only_what_changed_since_the_fetch(state: StateStore) -> None:
    state.mark("http://a/1-x", "written", "sha256:1")
    later = datetime.now(UTC) + timedelta(hours=1)
    earlier = datetime.now(UTC) - timedelta(hours=1)
    assert state.should_skip("http://a/1-x", later)  # refresh off: lastmod ignored
    assert not state.should_skip("http://a/1-x", later, refresh=True)
    assert state.should_skip("http://a/1-x", earlier, refresh=True)


def test_headline_log_is_append_only_and_workers_load_deltas(state: StateStore) -> None:
    state.add_headlines([("satu", "Satu", "http://a/1-x"), ("dua", "Dua", None)])
    first = state.headline_version
    state.add_headlines([("satu", "Satu lagi", None), ("tiga", "Tiga", None)])  # "satu" kept once
    assert state.headline_version > first
    rows = state.db.execute("SELECT key, title FROM headlines ORDER BY id").fetchall()
    assert rows == [("satu", "Satu"), ("dua", "Dua"), ("tiga", "Tiga")]
    cache = _HeadlineCaches()
    assert cache.upto(str(state.path), first) == {"satu", "dua"}
    assert cache.upto(str(state.path), state.headline_version) == {"satu", "dua", "tiga"}
    assert cache[str(state.path)].loaded == state.headline_version


def test_workers_keep_one_headline_index_per_crawl(tmp_path: Path) -> None:
    """Portals crawled side by side share the cleaning processes: their jobs come interleaved,
    and each index is loaded once and topped up, not reloaded at every switch."""
    with StateStore(tmp_path / "a.sqlite") as one, StateStore(tmp_path / "b.sqlite") as other:
        one.add_headlines([("satu", "Satu", None)])
        other.add_headlines([("dua", "Dua", None)])
        cache = _HeadlineCaches()
        assert cache.upto(str(one.path), one.headline_version) == {"satu"}
        assert cache.upto(str(other.path), other.headline_version) == {"dua"}
        first = cache[str(one.path)]
        one.db.execute("DELETE FROM headlines")  # a reload would now find nothing
        one.db.commit()
        assert cache.upto(str(one.path), one.headline_version) == {"satu"}
        assert cache[str(one.path)] is first


def test_output_day_is_the_portal_day(tmp_path: Path) -> None:
    late_utc = article("http://a/1-x", published="2026-11-20T20:30:00+00:00")
    assert output_day(late_utc, WIB) == "2026-11-21"  # 03:30 WIB the next day
    no_offset = article("http://a/1-x", published="2026-11-20T23:30:00")
    assert output_day(no_offset, WIB) == "2026-11-20"
    undated = Article(url="u", portal="viva", title="T", text="x", fetched_at="2026-11-24T18:00:00+00:00")
    assert output_day(undated, WIB) == "2026-11-25"  # the crawl date, in portal time


def test_writer_records_each_write_in_the_state(tmp_path: Path, state: StateStore) -> None:
    writer = OutputWriter(tmp_path / "viva", state, WIB)
    writer.write_article(article("http://a/1-x", published="2026-11-20T08:00:00+07:00"))
    writer.write_reject(Rejected("http://a/2-x", RejectReason.TOO_SHORT, "3 words"))
    writer.close()
    assert state.status("http://a/1-x") == "written" and state.status("http://a/2-x") == "rejected"
    (line,) = (tmp_path / "viva" / "2026-11-20.jsonl").read_bytes().splitlines()
    assert orjson.loads(line)["url"] == "http://a/1-x"
    assert orjson.loads((tmp_path / "viva" / "rejects.jsonl").read_bytes())["reason"] == "too_short"


def test_reconcile_adds_records_the_state_missed_and_cuts_torn_tails(tmp_path: Path) -> None:
    folder = tmp_path / "viva"
    folder.mkdir()
    lines = [orjson.dumps(article(f"http://a/{i}-x", text=f"teks {i}").to_dict()) for i in range(3)]
    # A kill after two complete writes and half of a third, before any state commit.
    (folder / "2026-11-20.jsonl").write_bytes(lines[0] + b"\n" + lines[1] + b"\n" + lines[2][:40])
    with StateStore(folder / "state.sqlite") as state:
        assert reconcile(folder, state).added == 2
        assert state.status("http://a/0-x") == "written" and state.status("http://a/1-x") == "written"
        assert state.status("http://a/2-x") is None  # its line was torn: it is fetched again
        assert (folder / "2026-11-20.jsonl").read_bytes().endswith(b"\n")
        assert reconcile(folder, state).added == 0  # only new bytes are read the next time
        assert state.should_skip("http://a/0-x")


def test_reconcile_fetches_again_what_a_file_lost_after_it_was_recorded(tmp_path: Path) -> None:
    """A power cut: the state committed records whose lines the disk never got (the file ends
    early, maybe mid-line). Those are marked failed (fetched again); lines removed by hand from
    the middle of a file are not: only records that ended past the file's new end count."""
    folder = tmp_path / "viva"
    with StateStore(folder / "state.sqlite") as state:
        writer = OutputWriter(folder, state, WIB)
        for i in range(6):
            writer.write_article(
                article(f"http://a/{i}-x", text=f"teks {i}", published="2026-11-20T08:00:00+07:00")
            )
        writer.write_reject(Rejected("http://a/9-x", RejectReason.TOO_SHORT, "3 words"))
        writer.close()
    day = folder / "2026-11-20.jsonl"
    lines = day.read_bytes().splitlines(keepends=True)
    # Line 1 removed by hand; the disk lost lines 4 and 5 and kept half of line 3.
    day.write_bytes(lines[0] + lines[2] + lines[3][:30])
    (folder / "rejects.jsonl").write_bytes(b"")
    with StateStore(folder / "state.sqlite") as state:
        result = reconcile(folder, state)
        assert sorted(result.lost) == ["http://a/3-x", "http://a/4-x", "http://a/5-x", "http://a/9-x"]
        assert result.added == 0
        for url in result.lost:
            assert state.status(url) == "failed" and not state.should_skip(url)
        for url in ("http://a/0-x", "http://a/1-x", "http://a/2-x"):
            assert state.should_skip(url)
        assert reconcile(folder, state).lost == []  # settled: nothing more the next time


def test_state_from_before_line_offsets_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE seen (url TEXT PRIMARY KEY, first_seen TEXT NOT NULL, last_fetched TEXT,"
        " content_hash TEXT, status TEXT NOT NULL, detail TEXT)"
    )
    db.execute("INSERT INTO seen VALUES ('http://a/1-x', 'x', 'x', 'h', 'written', '')")
    db.commit()
    db.close()
    with StateStore(path) as state:
        assert state.should_skip("http://a/1-x")
        state.mark("http://a/2-x", "written", "h2", output="2026-11-20.jsonl", line_end=10)
        state.mark("http://a/2-x", "written", "h2")  # an unchanged refetch: its line stays put
        assert state.forget_lost_lines("2026-11-20.jsonl", 0, set()) == ["http://a/2-x"]


def test_lock_refuses_a_second_crawl_and_names_the_holder(tmp_path: Path) -> None:
    message = rf"another crawl of viva is running \(pid {os.getpid()}"
    with PortalLock(tmp_path / "viva", "viva"), pytest.raises(CrawlLockedError, match=message):
        PortalLock(tmp_path / "viva", "viva").acquire()
    with PortalLock(tmp_path / "viva", "viva"):  # released: free again
        pass


def test_lock_of_a_dead_process_is_free(tmp_path: Path) -> None:
    code = (
        "import os, sys; from pathlib import Path; from scraper.crawl.state import PortalLock;"
        "PortalLock(Path(sys.argv[1])).acquire(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "viva")], check=True, timeout=30)
    with PortalLock(tmp_path / "viva"):
        pass


def test_clean_job_uses_the_headline_snapshot_it_was_sent(state: StateStore, tmp_path: Path) -> None:
    """A line equal to another article's headline goes only when that headline was indexed before
    the job was sent; the article's own title is never treated as another article's."""
    site = ReplicaSite(3, seed=1)
    article = site.article(0)
    other = "harga cabai naik tajam menjelang akhir tahun di pasar induk kramat jati"  # not title case
    html = render_article(article, "http://127.0.0.1:1", None).body.decode()
    anchor = article.pages[0][1] + "</p>"
    body = html.replace(anchor, f"{anchor}<p>{other}</p>", 1).encode()
    with StateStore(tmp_path / "empty.sqlite") as empty:  # a crawl that never indexed that title
        kept = clean_job(CleanJob(url="http://127.0.0.1:1" + article.path, bodies=(body,), portal="viva",
                                  headline_db=str(empty.path), headline_upto=empty.headline_version))  # fmt: skip
    assert isinstance(kept, Article) and other in kept.text
    state.add_headlines(
        [(normalise_headline(other), other, None), (normalise_headline(article.title), article.title, None)]
    )
    job = CleanJob(
        url="http://127.0.0.1:1" + article.path, bodies=(body,), portal="viva", own_title=article.title,
        headline_db=str(state.path), headline_upto=state.headline_version,
    )  # fmt: skip
    cleaned = clean_job(job)
    assert isinstance(cleaned, Article) and other not in cleaned.text
    assert cleaned.text == article.body_text and cleaned.url == job.url
    missing = clean_job(replace(job, headline_db=str(tmp_path / "gone.sqlite")))  # no index: no crash
    assert isinstance(missing, Article) and other in missing.text


@pytest.mark.parametrize("damage", ["garbage", "pages"])
def test_a_corrupt_state_is_set_aside_and_rebuilt_from_the_outputs(damage: str, tmp_path: Path) -> None:
    """Issue 12, item 7: a damaged state.sqlite is no traceback; the crawl sets it aside, rebuilds
    it from the output files (as for a missing one), says so in one line, and writes nothing twice."""
    from scraper.replica import ReplicaPortal
    from tests.test_crawl import crawl, last_report, records

    site = ReplicaSite(12, seed=4)
    db = tmp_path / "viva" / "state.sqlite"
    with ReplicaPortal(site) as portal:
        assert crawl(portal, tmp_path).returncode == 0
        written = len(records(tmp_path))
        data = bytearray(db.read_bytes())
        if damage == "garbage":
            data[:] = b"this is not a database at all " * 100
        else:  # the header is fine, the pages behind it are not: found by the check at open
            data[4096 * 2 :] = bytes(range(256)) * ((len(data) - 8192) // 256 + 1)
        db.write_bytes(bytes(data))
        again = crawl(portal, tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    said = " ".join(again.stderr.split())  # the log line may be wrapped at the terminal's width
    assert said.count("the crawl state was corrupt: set aside as") == 1
    assert "and rebuilt from the output files" in said
    report = last_report(tmp_path)
    assert report["counts"]["written"] == 0 and report["counts"]["reconciled"] == written
    assert len(records(tmp_path)) == written  # nothing fetched and written again
    (aside,) = (tmp_path / "viva").glob("state.sqlite.corrupt-*")
    assert report["state_set_aside"] == str(aside) and aside.read_bytes()[:4] == bytes(data[:4])
    with StateStore(db) as rebuilt:
        assert rebuilt.count("written") == written
