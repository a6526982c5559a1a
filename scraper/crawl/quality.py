"""A run's quality figures for its portal: how often the portal's own rules matched, how complete
the records were, how long the articles and how many teasers went (README "Layout-drift alarm").

The cleaning processes say per article what the portal's rules matched (cleaners.types.CleanTrace,
pickled back with the Article); the crawl process only counts it, a few increments of a plain dict
per article (about 1.5 us; Scrapy's stats collector takes 1.4 us per increment) and no parsing: its
CPU per article is what limits a crawl's rate. The counts live on the crawl context (one per
crawler, and a crawler crawls one portal) and join the crawl stats at the end; the run report
turns them into the `quality` figures (`quality_figures`), which scraper.crawl.drift compares
with the earlier runs'.
"""

from __future__ import annotations

from typing import Any

from cleaners.portals import PortalRules
from cleaners.types import Article, Rejected

PREFIX = "quality/"
# Record fields whose presence is counted: (report name, Article attribute).
COVERAGE = ("title", "published_at", "authors", "section")
RULE_KEYS = ("body", "title", "published", "authors", "section", "drop")  # as in cleaners/portals/*.toml


def tally(counts: dict[str, int], result: Article | Rejected | None) -> None:
    """Count one cleaned article page into `counts` (keys "quality/...")."""

    def inc(key: str, n: int = 1) -> None:
        counts[key] = counts.get(key, 0) + n

    if not isinstance(result, Article):
        inc("quality/rejected")  # the cleaner found no article in an article page
        return
    inc("quality/articles")
    inc("quality/words", result.word_count)  # computed in the cleaning process
    if result.title:
        inc("quality/coverage/title")
    if result.published_at:
        inc("quality/coverage/published_at")
    if result.authors:
        inc("quality/coverage/authors")
    if result.section:
        inc("quality/coverage/section")
    trace = result.trace
    if trace is None:
        return
    if trace.teasers_removed:
        inc("quality/teasers", trace.teasers_removed)
    if trace.body_rule is not None:
        inc("quality/rule/body/" + trace.body_rule)
    for key, selector in trace.field_rules:
        inc(f"quality/rule/{key}/{selector}")
    for selector in trace.drop_rules:
        inc("quality/rule/drop/" + selector)


def _share(count: float, total: int) -> float | None:
    return round(count / total, 4) if total else None


def quality_figures(stats: dict[str, Any], rules: PortalRules | None) -> dict[str, Any]:
    """The report's `quality`: shares are of the articles the cleaner produced this run (written,
    or dropped afterwards as duplicates or out of the window); null when it produced none.
    `body_selector_matched` is null for a portal without body rules (generic cleaning)."""
    articles = int(stats.get("quality/articles", 0))
    rejected = int(stats.get("quality/rejected", 0))
    matched: dict[str, dict[str, float | None]] = {}
    for key, value in sorted(stats.items()):
        if key.startswith("quality/rule/"):
            rule, _, selector = key[len("quality/rule/") :].partition("/")
            matched.setdefault(rule, {})[selector] = _share(value, articles)
    body = sum(n for key, n in stats.items() if key.startswith("quality/rule/body/"))
    return {
        "articles": articles,
        "cleaned": articles + rejected,  # article pages the cleaner saw
        "rejected_share": _share(rejected, articles + rejected),
        "body_selector_matched": _share(body, articles) if rules is not None and rules.body else None,
        "coverage": {name: _share(stats.get(f"quality/coverage/{name}", 0), articles) for name in COVERAGE},
        "mean_words": round(stats.get("quality/words", 0) / articles, 1) if articles else None,
        "teasers_removed_per_page": _share(stats.get("quality/teasers", 0), articles),
        # rules-file key -> selector -> share of articles it matched (body, metadata) or removed
        # something from (drop); only selectors that matched at least once appear.
        "rules": matched,
    }
