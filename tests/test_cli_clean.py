"""`scraper clean` and `scraper eval` through the real command line, on files written here."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import orjson

from tests.test_cleaning_rules import PROSE, page

SCRAPER = [sys.executable, "-m", "scraper.cli"]


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*SCRAPER, *args], input=stdin, capture_output=True, timeout=120, check=False)


def write_inputs(folder: Path, copies: int = 3) -> None:
    html = bytes(
        page({1: "<p>Baca juga: <a href='/kota/read/2026/1/1/1/x'>Kabar Lain dari Kota</a></p>"}).body
    )
    for i in range(copies):
        (folder / f"article-{i}.html").write_bytes(html)
    (folder / "article-gz.html.gz").write_bytes(gzip.compress(html))
    (folder / "empty.html").write_bytes(b"")
    (folder / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)


def test_clean_folder_writes_articles_and_rejects(tmp_path: Path) -> None:
    write_inputs(tmp_path)
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    result = run("clean", str(tmp_path), "-o", str(out), "--rejects", str(rejects))
    assert result.returncode == 0, result.stderr
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert len(records) == 4
    assert {Path(r["source"]).name for r in records} == {
        "article-0.html",
        "article-1.html",
        "article-2.html",
        "article-gz.html.gz",
    }
    for record in records:
        assert record["text"].splitlines() == PROSE
        assert record["schema_version"] == 1
    reasons = {
        Path(r["source"]).name: r["reason"] for r in map(orjson.loads, rejects.read_bytes().splitlines())
    }
    assert reasons == {"empty.html": "empty", "image.html": "not_html"}
    assert b"4 articles, 2 rejected" in result.stderr


def test_clean_many_files_in_parallel_keeps_order(tmp_path: Path) -> None:
    write_inputs(tmp_path, copies=24)
    result = run("clean", str(tmp_path), "-j", "2", "-q")
    assert result.returncode == 0, result.stderr
    sources = [Path(orjson.loads(line)["source"]).name for line in result.stdout.splitlines()]
    assert len(sources) == 25
    assert sources == sorted(sources)


def test_clean_stdin_with_url(tmp_path: Path) -> None:
    html = bytes(page({}).body)
    result = run("clean", "-", "--url", "https://www.viva.co.id/berita/nasional/123-taman", stdin=html)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["portal"] == "viva"
    assert record["url"] == "https://www.viva.co.id/berita/nasional/123-taman"


def test_clean_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    result = run("clean", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert b"no such file or folder" in result.stderr
    assert b"Traceback" not in result.stderr


def test_eval_scores_a_gold_folder_and_enforces_bars(tmp_path: Path) -> None:
    url = "https://news.example.co.id/kota/read/2026/11/20/123456/taman-baru-pusat-kota"
    (tmp_path / "a.html").write_bytes(bytes(page({2: "<p>ADVERTISEMENT</p>"}).body))
    gold = {
        "url": url,
        "title": "Taman Baru di Pusat Kota",
        "body": "\n".join(PROSE),
        "with": [PROSE[0][:40]],
        "without": ["ADVERTISEMENT"],
    }
    (tmp_path / "a.gold.json").write_text(json.dumps(gold))
    ok = run("eval", str(tmp_path), "--min-f1", "0.99", "--max-leaks", "0")
    assert ok.returncode == 0, ok.stderr
    assert b"1.0000" in ok.stdout
    gold["body"] += "\nSebuah paragraf yang tidak ada di halaman sama sekali dan menurunkan skor recall."
    (tmp_path / "a.gold.json").write_text(json.dumps(gold))
    low = run("eval", str(tmp_path), "--min-f1", "0.99")
    assert low.returncode == 1
    assert b"below 0.99" in low.stderr


def test_version_names_the_package_and_the_engines_it_runs_on() -> None:
    import tomllib

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    result = run("--version")
    assert result.returncode == 0, result.stderr
    line = result.stdout.decode().strip()
    assert line.startswith(f"news-scraper {project['version']} (Python ")
    for engine in ("scrapy", "trafilatura", "selectolax", "httpx"):
        assert f"{engine} " in line and f"{engine} not installed" not in line


def test_file_names_that_are_not_utf8_do_not_stop_the_batch(tmp_path: Path) -> None:
    """Issue 12, item 6: a name in another encoding (Latin-1 bytes) is cleaned like any other file,
    named in `source` with its bytes escaped, and every file after it is still processed; one
    process (a few files) and the process pool (16 or more) alike."""
    import os

    html = bytes(page({}).body)
    folder = tmp_path / "in"
    folder.mkdir()
    odd = os.fsdecode(b"a-berita-\xe9\xff.html")  # sorts first
    (folder / odd).write_bytes(html)
    (folder / os.fsdecode(b"b-kosong-\xfe.html")).write_bytes(b"")  # a reject with such a name
    for copies in (2, 20):
        for i in range(copies):
            (folder / f"c-{i:02d}.html").write_bytes(html)
        out, rejects = tmp_path / f"out-{copies}.jsonl", tmp_path / f"rejects-{copies}.jsonl"
        result = run("clean", str(folder), "-o", str(out), "--rejects", str(rejects))
        assert result.returncode == 0, result.stderr
        assert b"Traceback" not in result.stderr
        sources = [orjson.loads(line)["source"] for line in out.read_bytes().splitlines()]
        assert len(sources) == 1 + copies  # the odd one and every file after it
        assert sources[0] == str(folder) + "/a-berita-\\xe9\\xff.html"
        (reject,) = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
        assert reject["source"] == str(folder) + "/b-kosong-\\xfe.html" and reject["reason"] == "empty"
