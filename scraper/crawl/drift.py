"""The layout-drift alarm: a run's quality figures (scraper.crawl.quality) against the earlier
runs' of the same portal and output folder, read from their run reports (README "Layout-drift
alarm"). A portal's redesign rarely breaks a crawl: pages still come in and the generic cleaning
still finds text, only worse; this names the figure that fell and the portal rule that stopped
matching, so a scheduled crawl does not degrade in silence.

Everything here is pure except `earlier_runs`, which reads the reports; `judge` works on dicts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from cleaners.portals import PortalRules

# A sample of fewer articles says too little: binomial noise on 20 articles is already ±0.1 on a
# share of 0.5. A smaller run is judged together with the runs right before it (a crawl every 15
# minutes writes a handful of articles each time), at most MAX_POOLED_RUNS of them.
MIN_ARTICLES = 20
MAX_POOLED_RUNS = 10
# The baseline: the runs before those, newest first, without drift warnings (a redesign must not
# become the new normal and silence the alarm), until they hold this many articles.
BASELINE_ARTICLES = 100
HISTORY = 60  # run reports read at most
# A share (rule matched, field present) warns when it falls more than SHARE_DROP below the
# baseline's and also more than SIGMAS binomial standard errors of a sample this size: a rule
# that matched half the pages may match 6 of 20 by chance, one that always matched may not miss 5.
# At 4 standard errors, chance alone warns about once in 30,000 judged figures.
SHARE_DROP = 0.2
SIGMAS = 4.0
# Averages: the mean words per article below half the baseline's (text lost to a wrong scope),
# teasers removed per article below half the baseline's when it removed at least one per article
# (the teaser rules stopped matching; fewer than one and a drop is chance).
WORDS_RATIO = 0.5
TEASERS_RATIO = 0.5
TEASERS_MIN_BASELINE = 1.0

# Record fields and the rules-file key whose selectors fill them.
FIELD_RULES = {"title": "title", "published_at": "published", "authors": "authors", "section": "section"}
METADATA_RULES = ("title", "published", "authors", "section")


@dataclass
class Pool:
    """The quality figures of several runs as one sample: article-weighted means of their figures
    (the rejected share weighted by article pages cleaned)."""

    runs: int = 0
    articles: int = 0
    cleaned: int = 0
    sums: dict[str, float] = field(default_factory=dict)  # figure -> sum of value x weight
    weights: dict[str, int] = field(default_factory=dict)
    rule_sums: dict[tuple[str, str], float] = field(default_factory=dict)  # (key, selector) -> matches

    def add(self, quality: dict[str, Any]) -> None:
        articles, cleaned = _count(quality.get("articles")), _count(quality.get("cleaned"))
        self.runs += 1
        self.articles += articles
        self.cleaned += cleaned
        self._add("rejected_share", quality.get("rejected_share"), cleaned)
        for name in ("body_selector_matched", "mean_words", "teasers_removed_per_page"):
            self._add(name, quality.get(name), articles)
        for name, value in _mapping(quality.get("coverage")).items():
            self._add(f"coverage.{name}", value, articles)
        for key, selectors in _mapping(quality.get("rules")).items():
            for selector, share in _mapping(selectors).items():
                if _number(share):
                    self.rule_sums[key, selector] = (
                        self.rule_sums.get((key, selector), 0.0) + share * articles
                    )

    def _add(self, name: str, value: Any, weight: int) -> None:
        if _number(value) and weight > 0:  # null: not measured (no article, no body rules)
            self.sums[name] = self.sums.get(name, 0.0) + value * weight
            self.weights[name] = self.weights.get(name, 0) + weight

    def value(self, name: str) -> float | None:
        weight = self.weights.get(name, 0)
        return self.sums[name] / weight if weight else None

    def selectors(self, key: str) -> dict[str, float]:
        """Selector -> pooled share of articles it matched, for one rules-file key (a selector
        absent from a run's figures matched none of its articles)."""
        if not self.articles:
            return {}
        return {selector: n / self.articles for (k, selector), n in self.rule_sums.items() if k == key}

    def figures(self) -> dict[str, Any]:
        """The pooled figures, shaped like a report's `quality` (without `rules`)."""
        return {
            "articles": self.articles,
            "cleaned": self.cleaned,
            "rejected_share": _round(self.value("rejected_share")),
            "body_selector_matched": _round(self.value("body_selector_matched")),
            "coverage": {name: _round(self.value(f"coverage.{name}")) for name in FIELD_RULES},
            "mean_words": _round(self.value("mean_words"), 1),
            "teasers_removed_per_page": _round(self.value("teasers_removed_per_page")),
        }


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _count(value: Any) -> int:
    return int(value) if _number(value) and value > 0 else 0


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def pooled(qualities: Iterable[dict[str, Any]]) -> Pool:
    pool = Pool()
    for quality in qualities:
        pool.add(quality)
    return pool


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _drifted(report: dict[str, Any]) -> bool:
    return bool((report.get("drift") or {}).get("warnings"))


def judge(
    quality: dict[str, Any], earlier: list[dict[str, Any]], rules: PortalRules | None = None
) -> dict[str, Any]:
    """The report's `drift`: `quality` (this run's) against `earlier` run reports, newest first.
    `rules` (the portal's rules file) names the selectors behind a record field that went missing."""
    rest = [report for report in earlier if isinstance(report.get("quality"), dict)]
    sample = [quality]
    if _count(quality.get("cleaned")):  # a run that cleaned nothing is not judged on older runs
        while (
            sum(_count(q.get("cleaned")) for q in sample) < MIN_ARTICLES
            and rest
            and len(sample) < MAX_POOLED_RUNS
        ):
            sample.append(rest.pop(0)["quality"])
    now = pooled(sample)
    baseline_runs: list[dict[str, Any]] = []
    for report in rest:
        if sum(_count(q.get("articles")) for q in baseline_runs) >= BASELINE_ARTICLES:
            break
        if not _drifted(report) and _count(report["quality"].get("articles")):
            baseline_runs.append(report["quality"])
    before = pooled(baseline_runs)
    verdict: dict[str, Any] = {
        "judged": False, "note": None, "pooled_runs": now.runs, "articles": now.articles,
        "cleaned": now.cleaned, "baseline_runs": before.runs, "baseline_articles": before.articles,
        "baseline": before.figures() if before.runs else None, "warnings": [],
    }  # fmt: skip
    runs = "this run" if now.runs == 1 else f"this run and the {now.runs - 1} before it"
    if not _count(quality.get("cleaned")):
        verdict["note"] = "not judged: no article page was cleaned in this run"
    elif now.cleaned < MIN_ARTICLES:
        verdict["note"] = (
            f"not judged: {now.cleaned} article pages cleaned in {runs}, fewer than {MIN_ARTICLES}"
        )
    elif before.articles < MIN_ARTICLES:
        verdict["note"] = (
            f"not judged: no baseline yet ({before.articles} articles in earlier runs without drift "
            f"warnings, fewer than {MIN_ARTICLES})"
        )
    else:
        verdict["judged"] = True
        checks = Checks(now, before, rules)
        if now.articles < MIN_ARTICLES:
            verdict["note"] = f"only the rejected share judged: {now.articles} articles in {runs}"
        else:
            checks.article_figures()
        checks.rejected_share()
        verdict["warnings"] = checks.warnings
    return verdict


def share_floor(baseline: float, n: int) -> float:
    """Below this a share of `n` articles is drift (see SHARE_DROP, SIGMAS)."""
    noise = SIGMAS * math.sqrt(max(baseline * (1 - baseline), 0.0) / n)
    return round(baseline - max(SHARE_DROP, noise), 4)


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%"


class Checks:
    """The drift rules; each adds a warning to `warnings` when its figure fell."""

    def __init__(self, now: Pool, before: Pool, rules: PortalRules | None) -> None:
        self.now, self.before, self.rules = now, before, rules
        self.warnings: list[dict[str, Any]] = []
        self.over = f"over {before.runs} earlier run{'s' if before.runs != 1 else ''}"

    def warn(
        self, name: str, value: float, baseline: float, threshold: float, rule: str | None, text: str
    ) -> None:
        self.warnings.append(
            {"field": name, "value": round(float(value), 4), "baseline": round(float(baseline), 4),
             "threshold": threshold, "rule": rule, "message": text}
        )  # fmt: skip

    def share(
        self, name: str, value: float | None, baseline: float | None, rule: str | None, text: str
    ) -> bool:
        """A share that fell below its floor; `text` says what it is, "{share}" standing for it."""
        if value is None or baseline is None:
            return False
        floor = share_floor(baseline, self.now.articles)
        if not value < floor:
            return False
        limits = f" (baseline {_percent(baseline)} {self.over}; warns below {_percent(floor)})"
        self.warn(name, value, baseline, floor, rule, text.replace("{share}", _percent(value)) + limits)
        return True

    def mean(self, name: str, ratio: float, min_baseline: float, unit: str, rule: str | None) -> None:
        value, baseline = self.now.value(name), self.before.value(name)
        if value is None or baseline is None or baseline <= 0 or baseline < min_baseline:
            return
        floor = round(ratio * baseline, 2)
        if value < floor:
            text = (
                f"{name}: {value:.1f} {unit} (baseline {baseline:.1f} {self.over}; warns below {floor:.1f})"
            )
            self.warn(name, value, baseline, floor, rule, text)

    def main_selector(self, key: str) -> str | None:
        """The selector of `key` that matched most in the baseline: the rule that stopped matching."""
        selectors = self.before.selectors(key)
        return max(selectors, key=lambda s: selectors[s]) if selectors else None

    def article_figures(self) -> None:
        body = self.main_selector("body")
        body_rule = f"body = {body}" if body else None
        body_fell = self.share(
            "body_selector_matched", self.now.value("body_selector_matched"),
            self.before.value("body_selector_matched"), body_rule,
            f"body: the portal's rule `{body_rule}` scoped {{share}} of articles, the others fell back "
            "to generic scoping",
        )  # fmt: skip
        for key in METADATA_RULES:  # a rule that never supplied its field has nothing to lose
            if (selector := self.main_selector(key)) is not None:
                rule = f"{key} = {selector}"
                now, before = self.now.selectors(key), self.before.selectors(key)
                text = f"{key}: the portal's rule `{rule}` supplied it for {{share}} of articles"
                self.share(f"rules.{key}", sum(now.values()), sum(before.values()), rule, text)
        for record_field, key in FIELD_RULES.items():
            selectors = getattr(self.rules, key) if self.rules is not None else ()
            rule = f"{key} = {', '.join(selectors)}" if selectors else None
            text = f"{record_field}: present in {{share}} of records"
            value, baseline = (
                self.now.value(f"coverage.{record_field}"),
                self.before.value(f"coverage.{record_field}"),
            )
            self.share(f"coverage.{record_field}", value, baseline, rule, text)
        fallen = []
        for selector, baseline in sorted(self.before.selectors("drop").items()):
            rule = f"drop = {selector}"
            text = f"drop: the portal's rule `{rule}` removed something from {{share}} of articles"
            if self.share("rules.drop", self.now.selectors("drop").get(selector, 0.0), baseline, rule, text):
                fallen.append(selector)
        self.mean("mean_words", WORDS_RATIO, 0.0, "words per article", body_rule if body_fell else None)
        drops = f"drop = {', '.join(fallen)}" if fallen else None
        self.mean(
            "teasers_removed_per_page",
            TEASERS_RATIO,
            TEASERS_MIN_BASELINE,
            "teaser blocks and lines removed per article",
            drops,
        )

    def rejected_share(self) -> None:
        value, baseline = self.now.value("rejected_share"), self.before.value("rejected_share")
        if value is None or baseline is None:
            return
        noise = SIGMAS * math.sqrt(baseline * (1 - baseline) / self.now.cleaned)
        ceiling = round(baseline + max(SHARE_DROP, noise), 4)
        if value > ceiling:
            text = (
                f"rejected_share: the cleaner found no article in {_percent(value)} of article pages "
                f"(baseline {_percent(baseline)} {self.over}; warns above {_percent(ceiling)})"
            )
            self.warn("rejected_share", value, baseline, ceiling, None, text)


def earlier_runs(portal_dir: Path, limit: int = HISTORY) -> list[dict[str, Any]]:
    """The newest earlier run reports of the folder that carry quality figures, newest first.
    Unreadable or foreign files are skipped: the alarm must never stop a crawl."""
    try:
        names = sorted((p for p in portal_dir.glob("run-*.json")), key=lambda p: p.name[:20], reverse=True)
    except OSError:
        return []
    candidates = names[: 2 * limit]

    def order(path: Path) -> tuple[str, int]:  # reports of the same second: by when they were written
        try:
            return path.name[:20], path.stat().st_mtime_ns
        except OSError:
            return path.name[:20], 0

    runs: list[dict[str, Any]] = []
    for path in sorted(candidates, key=order, reverse=True):
        try:
            report = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        if isinstance(report, dict) and isinstance(report.get("quality"), dict):
            runs.append(report)
            if len(runs) >= limit:
                break
    return runs
