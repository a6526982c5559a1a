"""Scrapy users: a Scrapy project of someone else's, generated here, uses our cleaning as an item
pipeline on its own items (response body and URL), and runs our VIVA spider with plain
`scrapy crawl viva`; both against the replica portal on loopback, by the `scrapy` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from scraper.replica import ReplicaPortal, ReplicaSite

REPO = Path(__file__).resolve().parents[1]

THEIR_SPIDER = '''
import scrapy


class TheirSpider(scrapy.Spider):
    """A spider of theirs: it knows nothing of our spiders, only hands over body and URL."""

    name = "theirs"

    def __init__(self, urls="", **kwargs):
        super().__init__(**kwargs)
        self.start_urls = urls.split(",")

    def parse(self, response):
        yield {"url": response.url, "body": response.body, "category": "nasional",
               "content_type": response.headers.get("Content-Type")}
'''

SETTINGS = """
BOT_NAME = "theirproject"
SPIDER_MODULES = ["theirproject.spiders", "spiders"]
ITEM_PIPELINES = {"scraper.integrations.pipeline.CleanArticlePipeline": 300}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
NEWS_PORTAL = "viva"  # the replica on 127.0.0.1 serves VIVA's markup
NEWS_CLEAN_JOBS = 1
ROBOTSTXT_OBEY = True
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scrapy-project")
    (root / "scrapy.cfg").write_text("[settings]\ndefault = theirproject.settings\n")
    package = root / "theirproject"
    (package / "spiders").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "spiders" / "__init__.py").write_text("")
    (package / "spiders" / "theirs.py").write_text(THEIR_SPIDER)
    (package / "settings.py").write_text(SETTINGS)
    return root


def scrapy_crawl(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(REPO)])}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", *args], cwd=project, env=env,
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def read(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_their_spider_with_our_cleaning_pipeline(project: Path) -> None:
    site = ReplicaSite(6, seed=5)
    with ReplicaPortal(site) as portal:
        base = portal.base_url
        urls = [portal.base_url + site.article(i).path + "?page=all" for i in range(3)]
        index = portal.base_url + "/indeks"  # an index page: not an article, dropped with its reason
        result = scrapy_crawl(
            project, "theirs", "-a", f"urls={','.join([*urls, index])}", "-O", "theirs.jsonl"
        )
    assert result.returncode == 0, result.stderr[-3000:]
    records = {r["url"].split("?")[0]: r for r in read(project / "theirs.jsonl")}
    assert sorted(records) == sorted(base + site.article(i).path for i in range(3))
    for i in range(3):
        record = records[base + site.article(i).path]
        assert record["text"] == site.article(i).body_text and record["portal"] == "viva"
        assert record["category"] == "nasional" and "body" not in record  # their fields stay, the page goes
        assert not any(teaser in record["text"] for teaser in site.article(i).teasers)
    assert "'news/rejected/index_page': 1" in result.stderr


def test_our_spider_with_plain_scrapy_crawl(project: Path) -> None:
    site = ReplicaSite(12, seed=6)
    with ReplicaPortal(site) as portal:
        base = portal.base_url
        result = scrapy_crawl(project, "viva", "-a", f"base_url={base}", "-a", "max_articles=5",
                              "-O", "viva.jsonl")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    records = read(project / "viva.jsonl")
    newest = [site.article(i) for i in range(5)]  # max_articles takes the newest, as in our crawls
    assert sorted(r["url"] for r in records) == sorted(base + a.path for a in newest)
    by_url = {r["url"]: r for r in records}
    for article in newest:
        assert by_url[base + article.path]["text"] == article.body_text
    assert "Traceback" not in result.stderr
