"""The cleaner on replica VIVA pages: every paragraph kept in order, no teaser, right metadata."""

from __future__ import annotations

import pytest

from cleaners.pipeline import clean_page
from cleaners.portals import portal_by_name
from cleaners.teasers import normalise_headline
from cleaners.types import Article, Page
from scraper.replica import ReplicaSite
from scraper.replica.pages import route

BASE = "http://127.0.0.1:9"
SITE = ReplicaSite(120, seed=7)
VIVA = portal_by_name("viva")


def clean_replica(index: int, headlines: frozenset[str], query: str = "?page=all") -> Article:
    article = SITE.article(index)
    response = route(SITE, BASE, article.path + query)
    page = Page(url=BASE + article.path, body=response.body, headers=response.headers)
    result = clean_page(page, headlines=headlines - {normalise_headline(article.title)}, rules=VIVA)
    assert isinstance(result, Article), result
    return result


@pytest.mark.parametrize("with_index", [True, False], ids=["headline-index", "no-index"])
def test_replica_articles_come_out_exactly_clean(with_index: bool) -> None:
    headlines = (
        frozenset(normalise_headline(a.title) for a in SITE.iter_articles()) if with_index else frozenset()
    )
    for index in range(0, 120, 3):
        article = SITE.article(index)
        result = clean_replica(index, headlines)
        leaked = [t for t in article.teasers if t in result.text]
        assert not leaked, f"article {index} leaked {leaked}"
        assert result.text == article.body_text, f"article {index}"
        assert result.title == article.title
        assert result.published_at == article.published
        assert list(result.authors) == [article.author]
        # the site chrome (menus, sidebars of other articles, meta tags, scripts) changes nothing
        assert (result.section, list(result.tags)) == (article.section, list(article.tags))
        assert result.canonical_url == BASE + article.path and result.image == BASE + article.image
        assert result.description == article.description and result.modified_at == article.modified


def test_each_page_of_a_multi_page_article_has_only_its_paragraphs() -> None:
    index = next(i for i in range(120) if len(SITE.article(i).pages) == 3)
    article = SITE.article(index)
    result = clean_replica(index, frozenset(), query="")
    assert result.text.splitlines() == list(article.pages[0])
    for page in (2, 3):  # each page carries the whole chrome again
        result = clean_replica(index, frozenset(), query=f"?page={page}")
        assert result.text.splitlines() == list(article.pages[page - 1])
