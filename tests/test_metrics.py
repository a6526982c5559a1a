from __future__ import annotations

import pytest

from scraper.evaluation.metrics import score_corpus, score_page

GOLD = "one two three four five six seven eight"


def test_identical_text_scores_one() -> None:
    score = score_page(GOLD, GOLD)
    assert score.precision == score.recall == 1.0 and score.exact


def test_extra_text_lowers_precision_only() -> None:
    score = score_page(GOLD, GOLD + " nine ten eleven twelve")
    assert score.recall == 1.0
    assert score.precision == pytest.approx(5 / 9)


def test_missing_text_lowers_recall_only() -> None:
    score = score_page(GOLD, "one two three four five")
    assert score.precision == 1.0
    assert score.recall == pytest.approx(2 / 5)


def test_corpus_averages_pages_and_skips_empty_predictions_for_precision() -> None:
    pages = [score_page(GOLD, GOLD), score_page(GOLD, "")]
    corpus = score_corpus(pages)
    assert corpus.precision == 1.0  # the empty prediction has nothing to score for precision
    assert corpus.recall == pytest.approx(0.5)
    assert corpus.f1 == pytest.approx(2 * 0.5 / 1.5)
    assert corpus.accuracy == 0.5
