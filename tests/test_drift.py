"""The layout-drift alarm (README "Layout-drift alarm"): what the cleaner tells the crawl about the
portal's rules, the quality figures of a run, the drift rules on plain report dicts, and crawls of
the replica whose markup is redesigned between two runs."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest

from cleaners import Page, clean_page
from cleaners.portals import portal_by_name
from cleaners.types import Article, Rejected, RejectReason
from scraper.crawl.drift import earlier_runs, judge, share_floor
from scraper.crawl.quality import quality_figures, tally
from scraper.replica import ReplicaPortal, ReplicaSite, Response
from scraper.replica.pages import route
from tests.test_crawl import crawl

VIVA = portal_by_name("viva")
BASE = "http://127.0.0.1:8000"
# The redesign: the body container and the printed date get new class names (VIVA's rules name
# the old ones); JSON-LD still carries the date, so only the rule shows that something changed.
REDESIGN = ((b'class="main-content-detail"', b'class="article-body"'), (b'class="main-content-date"', b'class="article-date"'))  # fmt: skip


def redesigned(body: bytes) -> bytes:
    for old, new in REDESIGN:
        assert old in body
        body = body.replace(old, new)
    return body


def cleaned(site: ReplicaSite, redesign: bool = False) -> list[Article]:
    articles = []
    for article in site.iter_articles():
        body = route(site, BASE, article.path + "?page=all").body
        result = clean_page(Page(BASE + article.path, redesigned(body) if redesign else body), rules=VIVA)
        assert isinstance(result, Article) and result.text == article.body_text
        articles.append(result)
    return articles


# -- what the cleaner tells the crawl -------------------------------------------------------------


def test_the_trace_names_the_portal_rules_that_matched_and_leaves_the_record_alone() -> None:
    site = ReplicaSite(6, seed=2)
    for result in cleaned(site):
        trace = result.trace
        assert trace is not None and trace.body_rule == "div.main-content-detail"
        assert dict(trace.field_rules) == {
            "title": "h1.main-content-title",
            "published": "div.main-content-date",
            "section": "a.breadcrumb-step.content_center",
        }  # authors: the JSON-LD names them first, so the portal's rule is not asked
        assert trace.teasers_removed > 0 and set(trace.drop_rules) <= set(VIVA.drop)
        assert "trace" not in result.to_dict()
        # A crawl's cleaning process sets `pages` and pickles the record back: the trace goes along.
        assert pickle.loads(pickle.dumps(replace(result, pages=2))).trace == trace
    for result in cleaned(site, redesign=True):  # the same text, found by generic scoping
        assert result.trace is not None and result.trace.body_rule is None
        assert "published" not in dict(result.trace.field_rules) and result.published_at


def test_quality_figures_count_articles_rules_and_rejects() -> None:
    counts: dict[str, int] = {}
    articles = cleaned(ReplicaSite(8, seed=3)) + cleaned(ReplicaSite(4, seed=4), redesign=True)
    for result in articles:
        tally(counts, result)
    tally(counts, Rejected(BASE + "/x", RejectReason.TOO_SHORT))
    figures = quality_figures(counts, VIVA)
    assert figures["articles"] == 12 and figures["cleaned"] == 13
    assert figures["rejected_share"] == round(1 / 13, 4)
    assert figures["body_selector_matched"] == round(8 / 12, 4)
    assert figures["rules"]["body"] == {"div.main-content-detail": round(8 / 12, 4)}
    assert figures["rules"]["published"] == {"div.main-content-date": round(8 / 12, 4)}
    assert figures["coverage"] == {"title": 1.0, "published_at": 1.0, "authors": 1.0, "section": 1.0}
    assert figures["mean_words"] == round(sum(a.word_count for a in articles) / 12, 1)
    teasers = sum(a.trace.teasers_removed for a in articles if a.trace)
    assert figures["teasers_removed_per_page"] == round(teasers / 12, 4)
    generic = quality_figures(counts, portal_by_name("generic"))
    assert generic["body_selector_matched"] is None  # no body rules: nothing to match
    assert quality_figures({}, VIVA)["mean_words"] is None  # no article: no figure, not a zero


# -- the drift rules, on plain report dicts ----------------------------------------------------------


def quality(
    articles: int = 40, body: float | None = 1.0, published: float = 1.0, words: float = 400.0,
    teasers: float = 6.0, rejected: int = 0, coverage: dict[str, float] | None = None,
    drop: dict[str, float] | None = None,
) -> dict[str, Any]:  # fmt: skip
    rules: dict[str, dict[str, float]] = {"title": {"h1.main-content-title": 1.0}}
    if body:
        rules["body"] = {"div.main-content-detail": body}
    if published:
        rules["published"] = {"div.main-content-date": published}
    rules["drop"] = drop if drop is not None else {"div.recommended-article": 0.9}
    cleaned = articles + rejected
    return {
        "articles": articles, "cleaned": cleaned,
        "rejected_share": rejected / cleaned if cleaned else None,
        "body_selector_matched": body, "mean_words": words, "teasers_removed_per_page": teasers,
        "coverage": {"title": 1.0, "published_at": 1.0, "authors": 1.0, "section": 1.0, **(coverage or {})},
        "rules": rules,
    }  # fmt: skip


def run(figures: dict[str, Any], warned: bool = False) -> dict[str, Any]:
    warnings = [{"field": "body_selector_matched"}] if warned else []
    return {"quality": figures, "drift": {"warnings": warnings}}


HISTORY = [run(quality()) for _ in range(3)]


def fields(verdict: dict[str, Any]) -> list[str]:
    return [warning["field"] for warning in verdict["warnings"]]


def test_an_unchanged_run_gives_no_warning() -> None:
    verdict = judge(
        quality(articles=25, words=380, teasers=5.5, drop={"div.recommended-article": 0.8}), HISTORY
    )
    assert verdict["judged"] and verdict["warnings"] == [] and verdict["baseline_runs"] == 3


def test_rules_that_stop_matching_are_named() -> None:
    verdict = judge(quality(body=0.0, published=0.0), HISTORY, VIVA)
    assert fields(verdict) == ["body_selector_matched", "rules.published"]
    body, published = verdict["warnings"]
    assert (
        body["rule"] == "body = div.main-content-detail"
        and published["rule"] == "published = div.main-content-date"
    )
    assert body["value"] == 0.0 and body["baseline"] == 1.0 and body["threshold"] == 0.8
    assert "`body = div.main-content-detail` scoped 0% of articles" in body["message"]
    assert "warns below 80%" in published["message"]


def test_a_share_warns_beyond_its_drop_and_beyond_chance() -> None:
    assert share_floor(1.0, 20) == 0.8  # an always-matching rule: a 0.2 drop
    assert share_floor(0.5, 20) == pytest.approx(0.5 - 4 * (0.25 / 20) ** 0.5, abs=1e-4)  # chance is wider
    history = [run(quality(drop={"div.recommended-article": 0.5}))]
    half_as_often = quality(articles=20, drop={"div.recommended-article": 0.2})
    assert judge(half_as_often, history)["warnings"] == []  # 4 of 20 at a rate of 1 in 2: chance
    never = judge(quality(articles=20, drop={}), history)
    assert (
        fields(never) == ["rules.drop"] and never["warnings"][0]["rule"] == "drop = div.recommended-article"
    )
    assert judge(quality(body=0.85), HISTORY)["warnings"] == []
    assert fields(judge(quality(body=0.75), HISTORY)) == ["body_selector_matched"]


def test_record_fields_that_go_missing_name_the_portal_rules_for_them() -> None:
    verdict = judge(quality(coverage={"published_at": 0.5, "authors": 0.9}), HISTORY, VIVA)
    assert fields(verdict) == ["coverage.published_at"]
    assert verdict["warnings"][0]["rule"] == "published = div.main-content-date, div[itemprop=datePublished]"


def test_words_and_teasers_warn_below_half_the_baseline() -> None:
    assert judge(quality(words=250), HISTORY)["warnings"] == []
    words = judge(quality(words=150), HISTORY)
    assert fields(words) == ["mean_words"] and words["warnings"][0]["threshold"] == 200.0
    teasers = judge(quality(teasers=2.0, drop={}), HISTORY)
    assert fields(teasers) == ["rules.drop", "teasers_removed_per_page"]
    assert teasers["warnings"][1]["rule"] == "drop = div.recommended-article"
    few = [run(quality(teasers=0.5))]  # under one teaser per article: a drop to none is chance
    assert judge(quality(teasers=0.0), few)["warnings"] == []


def test_every_page_rejected_warns_although_no_article_is_left() -> None:
    verdict = judge(quality(articles=0, rejected=30), HISTORY)
    assert verdict["judged"] and fields(verdict) == ["rejected_share"]
    assert verdict["note"] == "only the rejected share judged: 0 articles in this run"
    assert verdict["warnings"][0]["threshold"] == 0.2


def test_small_runs_are_judged_together_and_too_few_articles_are_not_judged() -> None:
    recent = [run(quality(articles=5)) for _ in range(3)]
    verdict = judge(quality(articles=5, body=0.0), recent + HISTORY)
    assert verdict["pooled_runs"] == 4 and verdict["articles"] == 20 and verdict["baseline_runs"] == 3
    assert verdict["judged"] and fields(verdict) == ["body_selector_matched"]  # 5 of 20 missed
    assert verdict["warnings"][0]["value"] == 0.75
    alone = judge(quality(articles=5), [])
    assert (
        not alone["judged"]
        and alone["note"] == "not judged: 5 article pages cleaned in this run, fewer than 20"
    )
    nothing = judge(quality(articles=0), HISTORY)  # nothing new: older runs are not judged again
    assert not nothing["judged"] and nothing["pooled_runs"] == 1 and "no article page" in nothing["note"]
    first = judge(quality(), [])
    assert not first["judged"] and first["note"].startswith("not judged: no baseline yet")


def test_runs_that_drifted_never_become_the_baseline() -> None:
    redesigned_runs = [run(quality(body=0.0), warned=True) for _ in range(5)]
    verdict = judge(quality(body=0.0), redesigned_runs + HISTORY)
    assert fields(verdict) == ["body_selector_matched"] and verdict["baseline_runs"] == 3


def test_the_baseline_is_the_newest_runs_up_to_100_articles() -> None:
    older = [run(quality(words=1000.0)) for _ in range(5)]
    verdict = judge(quality(words=450.0), HISTORY + older)  # 3 x 40 articles of 400 words suffice
    assert verdict["baseline_runs"] == 3 and verdict["baseline"]["mean_words"] == 400.0
    assert verdict["warnings"] == []


def test_generic_rules_have_no_body_figure_to_judge() -> None:
    history = [run(quality(body=None)) for _ in range(2)]
    assert judge(quality(body=None), history)["warnings"] == []


def test_earlier_reports_are_read_newest_first_and_bad_files_skipped(tmp_path: Path) -> None:
    for stamp, words in (
        ("20261101T000000Z", 100.0),
        ("20261103T000000Z", 300.0),
        ("20261102T000000Z", 200.0),
    ):
        report = run(quality(words=words))
        (tmp_path / f"run-{stamp}-1.json").write_bytes(orjson.dumps(report))
    (tmp_path / "run-20261104T000000Z-9.json").write_bytes(b'{"torn')
    (tmp_path / "run-20261105T000000Z-host-1-4.json").write_bytes(
        orjson.dumps({"counts": {}})
    )  # older version
    runs = earlier_runs(tmp_path)
    assert [r["quality"]["mean_words"] for r in runs] == [300.0, 200.0, 100.0]
    assert earlier_runs(tmp_path / "missing") == []


# -- crawls of a replica redesigned between runs --------------------------------------------------------


@pytest.fixture(scope="module")
def drift_crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Any]]:
    """Four crawls of 25 new articles each: two of the usual markup, two after the redesign (the
    third with --fail-on-drift, the fourth without)."""
    site = ReplicaSite(100, seed=11)
    out = tmp_path_factory.mktemp("drift")
    box: dict[str, Any] = {"on": False}

    def redesign(target: str) -> Response | None:
        if not box["on"] or site.by_path(target.split("?")[0]) is None:
            return None
        page = route(site, box["base"], target)
        return Response(page.status, page.headers, redesigned(page.body))

    results = []
    with ReplicaPortal(site, faults=redesign) as portal:
        box["base"] = portal.base_url
        for redesign_on, extra in (
            (False, ()),
            (False, ("--fail-on-drift",)),
            (True, ("--fail-on-drift",)),
            (True, ()),
        ):
            box["on"] = redesign_on
            result = crawl(portal, out, "--max-articles", "25", *extra)
            report = max((out / "viva").glob("run-*.json"), key=lambda p: p.stat().st_mtime_ns)
            results.append((result, orjson.loads(report.read_bytes())))
    yield results


def test_unchanged_markup_gives_no_drift(drift_crawls: list[Any]) -> None:
    (first, first_report), (second, report) = drift_crawls[:2]
    assert first.returncode == 0 and "layout drift" not in first.stderr
    assert first_report["drift"]["note"].startswith("not judged: no baseline yet")
    quality = report["quality"]
    assert quality["articles"] == 25 and quality["body_selector_matched"] == 1.0
    assert quality["rules"]["published"] == {"div.main-content-date": 1.0}
    assert second.returncode == 0, second.stderr
    assert report["drift"]["judged"] and report["drift"]["warnings"] == []
    assert "drift: no layout drift against 1 earlier run" in second.stderr


def test_a_redesign_warns_names_the_rules_and_fails_the_run_on_request(drift_crawls: list[Any]) -> None:
    result, report = drift_crawls[2]
    assert result.returncode == 3, result.stderr
    assert report["counts"]["written"] == 25 and report["quality"]["body_selector_matched"] == 0.0
    warnings = {w["field"]: w for w in report["drift"]["warnings"]}
    assert set(warnings) == {"body_selector_matched", "rules.published"}
    assert warnings["body_selector_matched"]["rule"] == "body = div.main-content-detail"
    assert warnings["rules.published"]["rule"] == "published = div.main-content-date"
    lines = [line for line in result.stderr.splitlines() if "layout drift" in line]
    assert len(lines) == 2
    assert "viva layout drift: body: the portal's rule `body = div.main-content-detail` scoped 0%" in lines[0]
    assert "published: the portal's rule `published = div.main-content-date` supplied it for 0%" in lines[1]


def test_drift_goes_on_warning_without_failing_until_the_rules_match_again(drift_crawls: list[Any]) -> None:
    result, report = drift_crawls[3]
    assert result.returncode == 0, result.stderr  # no --fail-on-drift: warned, not failed
    assert result.stderr.count("viva layout drift:") == 2
    assert report["drift"]["baseline_runs"] == 2  # the redesigned run before it is no baseline
