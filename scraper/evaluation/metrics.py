"""The article-extraction-benchmark metric: 4-token shingle precision/recall/F1 and exact accuracy.

Tokens are the `\\w+` runs of a text (case kept). Per page, predicted and gold shingle multisets give
tp/fp/fn, normalised by their sum; precision and recall are the means over pages that have something
to score, and F1 is the harmonic mean of those two means.

Per page also the token F1 (bag of `\\w+` tokens, as the Fundus project and the issue's held-back
figures report it); the corpus keeps its mean and its lowest page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def shingles(words: list[str], size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    if len(words) < size:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


@dataclass(frozen=True, slots=True)
class PageScore:
    tp: float
    fp: float
    fn: float
    exact: bool
    token_f1: float = 0.0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp > 0 else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn > 0 else None

    @property
    def f1(self) -> float:
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r > 0 else 0.0


def score_page(gold: str, predicted: str) -> PageScore:
    gold_words, predicted_words = tokens(gold), tokens(predicted)
    gold_sh, pred_sh = shingles(gold_words), shingles(predicted_words)
    tp = sum((gold_sh & pred_sh).values())
    fp = sum((pred_sh - gold_sh).values())
    fn = sum((gold_sh - pred_sh).values())
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageScore(tp, fp, fn, gold_words == predicted_words, token_f1(gold_words, predicted_words))


def token_f1(gold_words: list[str], predicted_words: list[str]) -> float:
    common = sum((Counter(gold_words) & Counter(predicted_words)).values())
    if not common:
        return 0.0
    precision, recall = common / len(predicted_words), common / len(gold_words)
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True, slots=True)
class CorpusScore:
    precision: float
    recall: float
    f1: float
    accuracy: float
    pages: int
    mean_token_f1: float = 0.0
    min_token_f1: float = 0.0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def score_corpus(pages: Iterable[PageScore]) -> CorpusScore:
    scored = list(pages)
    precision = _mean([s.precision for s in scored if s.precision is not None])
    recall = _mean([s.recall for s in scored if s.recall is not None])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    accuracy = _mean([1.0 if s.exact else 0.0 for s in scored])
    token_f1s = [s.token_f1 for s in scored]
    return CorpusScore(
        precision, recall, f1, accuracy, len(scored), _mean(token_f1s), min(token_f1s, default=0.0)
    )
