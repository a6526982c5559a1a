"""One CLI: the same option means the same thing under the same name everywhere, every number is
checked (one line, exit 2), help shows plain metavars, -s/--log-level/--log-file reach the crawl,
output off a terminal is never wrapped, -q is quiet, and the small commands say what they did."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from scraper.cli.app import app
from scraper.crawl.config import CrawlConfig
from scraper.crawl.engine import scrapy_settings
from scraper.replica import ReplicaPortal, ReplicaSite
from scraper.replica.pages import route

REPO = Path(__file__).resolve().parents[1]
COMMANDS = ("clean", "eval", "crawl", "scrape", "demo", "worker", "merge", "export", "replica")


def scraper(*args: str, timeout: float = 120, columns: str | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI as a cron job runs it: output to pipes, no terminal, COLUMNS unset unless given."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["PYTHONPATH"] = str(REPO)
    if columns:
        env["COLUMNS"] = columns
    return subprocess.run(
        [sys.executable, "-m", "scraper.cli", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_has_plain_metavars(command: str) -> None:
    result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    placeholders = re.findall(r"<(?:bool|str|int|float|path|list\[[^\]]*\])>|\{\w+\}", result.output)
    assert placeholders == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl", "viva", "--jobs", "-1"], "--jobs -1: must be at least 0"),
        (["crawl", "viva", "--concurrency", "0"], "--concurrency 0: must be at least 1"),
        (["crawl", "viva", "--delay", "-5"], "--delay -5: must be at least 0"),
        (["crawl", "viva", "--delay", "nan"], "--delay nan: must be a number"),
        (["crawl", "viva", "--retries", "-1"], "--retries -1: must be at least 0"),
        (["crawl", "viva", "--backoff", "-1"], "--backoff -1: must be at least 0"),
        (["crawl", "viva", "--timeout", "0"], "--timeout 0: must be more than 0"),
        (["crawl", "viva", "--clean-timeout", "-1"], "--clean-timeout -1: must be more than 0"),
        (["crawl", "viva", "--max-pages", "0"], "--max-pages 0: must be at least 1"),
        (["crawl", "viva", "--max-articles", "0"], "--max-articles 0: must be at least 1"),
        (["crawl", "viva", "--redis-timeout", "0"], "--redis-timeout 0: must be more than 0"),
        (["crawl", "viva", "--log-level", "LOUD"], "--log-level LOUD: use one of DEBUG, INFO"),
        (["crawl", "viva", "-s", "DOWNLOAD_DELAY"], "-s DOWNLOAD_DELAY: give a Scrapy setting as NAME=VALUE"),
        (["crawl", "viva", "--jobs", "many"], "Invalid value for '-j' / '--jobs'"),
        (
            ["crawl"],
            "error: give a portal (see `scraper portals`), all, or --site URL",
        ),  # PORTAL... is optional
        (["worker", "viva", "--redis", "redis://x", "--heartbeat", "0"], "--heartbeat 0: must be at least 1"),
        (
            ["worker", "viva", "--redis", "redis://x", "--idle-exit", "-1"],
            "--idle-exit -1: must be at least 0",
        ),
        (["demo", "--articles", "0"], "--articles 0: must be at least 1 and at most 100000"),
        (["clean", "x.html", "--jobs", "-2"], "--jobs -2: must be at least 0"),
        (["clean", "x.html", "--min-words", "-1"], "--min-words -1: must be at least 0"),
        (["scrape", "http://127.0.0.1:9/a", "--timeout", "-1"], "--timeout -1: must be more than 0"),
        (["replica", "--port", "70000"], "--port 70000: must be at least 0 and at most 65535"),
        (["replica", "--articles", "0"], "--articles 0: must be at least 1"),
        (["eval", "corpus", "--min-f1", "1.5"], "--min-f1 1.5: must be at least 0 and at most 1"),
        (["eval", "corpus", "--max-leaks", "-1"], "--max-leaks -1: must be at least 0"),
    ],
)
def test_every_number_is_checked_in_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [*args, "-o", str(tmp_path)] if args[0] in ("crawl", "demo") else args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_a_bad_number_is_one_line_from_the_command_line_too(tmp_path: Path) -> None:
    result = scraper("crawl", "viva", "--jobs", "-1", "-o", str(tmp_path))
    assert (result.returncode, result.stderr) == (2, "error: --jobs -1: must be at least 0\n")


def test_scrapy_settings_are_applied_last() -> None:
    config = CrawlConfig(
        "viva", Path("out"), scrapy_overrides=(("DOWNLOAD_DELAY", "2"), ("RETRY_TIMES", "7"))
    )
    settings = scrapy_settings(config, ctx=None)  # type: ignore[arg-type]
    assert settings["DOWNLOAD_DELAY"] == "2" and settings["RETRY_TIMES"] == "7"


def test_dash_s_log_file_and_log_level_reach_the_crawl(tmp_path: Path) -> None:
    with ReplicaPortal(ReplicaSite(30, seed=2)) as portal:
        result = scraper(
            "crawl", "viva", "--base-url", portal.base_url, "-o", str(tmp_path / "out"), "--delay", "0",
            "-q", "-s", "CLOSESPIDER_PAGECOUNT=6", "--log-level", "info", "--log-file", str(tmp_path / "crawl.log"),
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = orjson.loads(next((tmp_path / "out" / "viva").glob("run-*.json")).read_bytes())
    assert report["finish_reason"] == "closespider_pagecount"  # -s overrode the crawl's own 0
    log = (tmp_path / "crawl.log").read_text()
    assert "Spider opened" in log and re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO scrapy", log, re.M)
    assert "Spider opened" not in result.stderr and "INFO" not in result.stderr  # the log went to the file


def test_unreachable_portal_lines_are_not_wrapped_and_have_no_traceback(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    result = scraper(
        "crawl", "viva", "--base-url", base, "-o", str(tmp_path), "--retries", "0", "--delay", "0"
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr  # robots.txt middleware logs these with a traceback
    lines = result.stderr.splitlines()
    gave_up = [line for line in lines if "Gave up retrying" in line]
    assert len(gave_up) >= 4 and all("Connection was refused" in line for line in gave_up)
    summary = next(line for line in lines if "FAILED: nothing reachable" in line)
    assert len(summary) > 100 and summary.rstrip().endswith("s")  # whole on one line, well past 80 columns
    assert all(not line.startswith(" ") for line in lines)  # no continuation lines


def test_quiet_crawl_logs_one_line_per_failure_kind_and_the_summary(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    result = scraper(
        "crawl", "viva", "--base-url", base, "-o", str(tmp_path), "--retries", "0", "--delay", "0", "-q"
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, result.stderr
    assert "connection: Gave up retrying <GET " + base in lines[0]
    assert "failed 4 (4 connection)" in lines[1] and lines[2].startswith("report: ")


def test_demo_exits_130_on_ctrl_c(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "scraper.cli", "demo", "--articles", "3000", "-o", str(tmp_path), "-j", "1"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        assert "replica portal" in process.stderr.readline()
        deadline = time.monotonic() + 60
        while not list((tmp_path / "viva").glob("2*.jsonl")) and time.monotonic() < deadline:
            time.sleep(0.2)  # until articles are being written
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
        rest = process.stderr.read()
    finally:
        process.kill()
    assert code == 130, rest
    assert "interrupted" in rest and "Traceback" not in rest


def test_merge_output_and_empty_inputs_are_said(tmp_path: Path) -> None:
    (tmp_path / "viva").mkdir()
    (tmp_path / "viva" / "2026-11-01.jsonl").write_text("")
    result = CliRunner().invoke(app, ["merge", "viva", str(tmp_path)])
    assert result.exit_code == 1 and f"nothing to merge in {tmp_path / 'viva'}" in result.stderr
    result = CliRunner().invoke(app, ["merge", "viva", str(tmp_path), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "would overwrite the workers' files" in result.stderr
    line = {"url": "https://x/1", "published_at": None, "fetched_at": "2026-11-01T00:00:00+00:00",
            "content_hash": "sha256:1", "text": "t"}  # fmt: skip
    (tmp_path / "viva" / "2026-11-01.host-1.jsonl").write_bytes(orjson.dumps(line) + b"\n")
    result = CliRunner().invoke(app, ["merge", "viva", str(tmp_path), "-o", str(tmp_path / "merged-here")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "merged-here" / "viva" / "2026-11-01.jsonl").read_bytes().count(b"\n") == 1


def test_clean_says_when_a_folder_has_nothing_to_clean(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no pages here")
    result = CliRunner().invoke(app, ["clean", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: nothing to clean: no .html, .htm or .html.gz files in {tmp_path}"


def test_clean_takes_portal_rules_by_name_and_the_old_option_name(tmp_path: Path) -> None:
    site = ReplicaSite(3, seed=1)
    page = tmp_path / "page.html"
    page.write_bytes(route(site, "http://127.0.0.1:8000", site.article(0).path).body)
    by_host = CliRunner().invoke(app, ["clean", str(page)])
    by_name = CliRunner().invoke(app, ["clean", str(page), "--portal", "viva", "--time-limit", "5"])
    assert by_host.exit_code == by_name.exit_code == 0, by_name.output
    assert orjson.loads(by_host.stdout)["portal"] != "viva"  # 127.0.0.1 is no portal's host
    assert orjson.loads(by_name.stdout)["portal"] == "viva"
    unknown = CliRunner().invoke(app, ["clean", str(page), "--portal", "nope"])
    assert unknown.exit_code == 2 and "unknown portal 'nope'" in unknown.stderr


def test_replica_command_serves_until_stopped() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, "-m", "scraper.cli", "replica", "--articles", "5", "--port", "0"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    ) as process:  # fmt: skip
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            base = re.search(r"at (http://127\.0\.0\.1:\d+)", first)
            assert base, first
            assert "Sitemap:" in httpx.get(base[1] + "/robots.txt").text
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
        finally:
            process.kill()
