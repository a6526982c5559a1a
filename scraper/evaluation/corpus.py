"""Score the cleaner on gold corpora: the aeb benchmark format and the id-news `.gold.json` format.

aeb: `ground-truth.json` ({id: {articleBody, url}}) beside `html/<id>.html.gz`.
id-news: `<name>.html` beside `<name>.gold.json`; article pages carry title, published, authors,
body, `with` (strings that must appear) and `without` (boilerplate that must not); index pages
(`page_type: index`) must be rejected as index pages.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import trafilatura

from cleaners.page_url import own_url
from cleaners.pipeline import clean_page
from cleaners.types import Article, Page, Rejected, RejectReason
from scraper.evaluation.metrics import CorpusScore, PageScore, score_corpus, score_page


@dataclass(frozen=True, slots=True)
class GoldPage:
    name: str
    url: str
    html: bytes
    gold: dict[str, Any]

    @property
    def is_index(self) -> bool:
        return self.gold.get("page_type") == "index"

    @property
    def expects_no_article(self) -> bool:
        """An annotated page whose gold body is empty (a photo page): rejecting it is right."""
        return "with" in self.gold and not self.gold.get("body", "").strip()


@dataclass(frozen=True, slots=True)
class Prediction:
    text: str | None  # None: rejected
    title: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    reject_reason: str | None = None


Extractor = Callable[[GoldPage], Prediction]


def load_corpus(folder: Path) -> list[GoldPage]:
    if (folder / "ground-truth.json").exists():
        return list(_load_aeb(folder))
    pages = list(_load_gold_json(folder))
    if not pages:
        raise FileNotFoundError(f"{folder}: no ground-truth.json and no *.gold.json files")
    return pages


def _load_aeb(folder: Path) -> Iterator[GoldPage]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for key, gold in sorted(truth.items()):
        html = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
        yield GoldPage(
            key,
            gold.get("url") or f"https://example.invalid/{key}",
            html,
            {"body": gold.get("articleBody", "")},
        )


def _load_gold_json(folder: Path) -> Iterator[GoldPage]:
    for gold_path in sorted(folder.rglob("*.gold.json")):
        html_path = gold_path.with_name(gold_path.name.removesuffix(".gold.json") + ".html")
        if html_path.exists():
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            name = str(gold_path.relative_to(folder)).removesuffix(".gold.json")
            yield GoldPage(name, gold["url"], html_path.read_bytes(), gold)


def ours(page: GoldPage) -> Prediction:
    result = clean_page(Page(url=page.url, body=page.html, source=page.name))
    return _prediction(result)


def ours_as_saved(page: GoldPage) -> Prediction:
    """The page cleaned as `scraper clean FILE` without --url sees it: the URL only if the saved
    page records it (canonical link or og:url), else the file's own URI."""
    url = own_url(page.html) or f"file:///saved/{page.name}.html"
    return _prediction(clean_page(Page(url=url, body=page.html, source=page.name)))


def _prediction(result: Article | Rejected) -> Prediction:
    if isinstance(result, Article):
        return Prediction(result.text, result.title, result.published_at, result.authors)
    return Prediction(None, reject_reason=str(result.reason))


def trafilatura_default(page: GoldPage) -> Prediction:
    doc = trafilatura.bare_extraction(page.html, url=page.url, include_comments=False, with_metadata=True)
    if doc is None:
        return Prediction(None, reject_reason="no_content")
    author = doc.author or ""
    authors = tuple(a.strip() for a in author.split(";") if a.strip())
    return Prediction(doc.text or "", doc.title, doc.date, authors)


EXTRACTORS: dict[str, Extractor] = {
    "ours": ours,
    "ours-no-url": ours_as_saved,
    "trafilatura": trafilatura_default,
}


@dataclass(slots=True)
class Report:
    extractor: str
    corpus: str
    score: CorpusScore
    seconds: float
    articles: int = 0
    index_pages: int = 0
    index_rejected: int = 0
    empty_pages: int = 0  # annotated pages with no article text: should be rejected
    with_total: int = 0
    with_found: int = 0
    leaks: list[tuple[str, str]] = field(default_factory=list)  # (page, leaked string)
    title_ok: int = 0
    date_ok: int = 0
    authors_ok: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)  # (page, what was wrong)

    @property
    def docs_per_second(self) -> float:
        return (self.articles + self.index_pages + self.empty_pages) / self.seconds if self.seconds else 0.0


def _same_instant(predicted: str | None, gold: str | None) -> bool:
    """Records carry whole seconds; gold values are compared at their own precision: fractional
    seconds are dropped, a gold time of hh:mm:00 is read to the minute (most publishers print
    minutes), and a gold value without offset is compared by wall clock."""
    if not predicted or not gold:
        return False
    try:
        ours, expected = datetime.fromisoformat(predicted), datetime.fromisoformat(gold)
    except ValueError:
        return predicted[:10] == gold[:10]
    expected = expected.replace(microsecond=0)
    if expected.second == 0:
        ours = ours.replace(second=0)
    if expected.tzinfo is None or ours.tzinfo is None:
        ours, expected = ours.replace(tzinfo=None), expected.replace(tzinfo=None)
    return ours == expected


def evaluate(pages: list[GoldPage], extractor: str, corpus: str) -> Report:
    run = EXTRACTORS[extractor]
    started = time.perf_counter()
    predictions = [run(page) for page in pages]
    seconds = time.perf_counter() - started
    scores: list[PageScore] = []
    report = Report(extractor, corpus, score_corpus([]), seconds)
    for page, pred in zip(pages, predictions, strict=True):
        if page.is_index:
            report.index_pages += 1
            if pred.reject_reason == str(RejectReason.INDEX_PAGE):
                report.index_rejected += 1
            else:
                report.misses.append((page.name, "index page not rejected as index_page"))
            continue
        if page.expects_no_article:
            report.empty_pages += 1
            if pred.text is not None:
                report.misses.append((page.name, "page without article text was not rejected"))
                report.leaks.extend((page.name, s) for s in page.gold.get("without", []) if s in pred.text)
            continue
        report.articles += 1
        _score_article(page, pred, report)
        scores.append(score_page(page.gold.get("body", ""), pred.text or ""))
    report.score = score_corpus(scores)
    return report


def _same_title(predicted: str | None, gold: str) -> bool:
    """Exact, up to whitespace: gold titles keep trailing spaces and no-break spaces of the page's
    markup, records have them normalised."""
    return predicted is not None and predicted.split() == gold.split()


def _score_article(page: GoldPage, pred: Prediction, report: Report) -> None:
    text = pred.text or ""
    if pred.text is None:
        report.misses.append((page.name, f"rejected: {pred.reject_reason}"))
    for needed in page.gold.get("with", []):
        report.with_total += 1
        if needed in text:
            report.with_found += 1
        else:
            report.misses.append((page.name, f"missing: {needed[:60]}"))
    for banned in page.gold.get("without", []):
        if banned in text:
            report.leaks.append((page.name, banned))
    if "title" in page.gold:
        if _same_title(pred.title, page.gold["title"]):
            report.title_ok += 1
        else:
            report.misses.append((page.name, f"title {pred.title!r}"))
    if "published" in page.gold:
        if _same_instant(pred.published, page.gold["published"]):
            report.date_ok += 1
        else:
            report.misses.append((page.name, f"published {pred.published!r}"))
    if "authors" in page.gold:
        if list(pred.authors) == page.gold["authors"]:
            report.authors_ok += 1
        else:
            report.misses.append((page.name, f"authors {list(pred.authors)!r}"))
