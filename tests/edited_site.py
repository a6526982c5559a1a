"""A replica site after an edit round, for the --refresh tests of single and distributed crawls."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from scraper.replica import ReplicaSite
from scraper.replica.site import ArticleRef, ReplicaArticle

UPDATE_NOTE = " Berita ini telah diperbarui."


class EditedSite(ReplicaSite):
    """`site` after an edit round: the articles in `touched` have sitemap lastmod `when`, and those
    in `changed` also have a new last sentence."""

    def __init__(self, site: ReplicaSite, when: datetime, touched: set[int], changed: set[int]) -> None:
        self.when, self.touched, self.changed = when, touched, changed
        super().__init__(site.n_articles, site.seed, site.start)

    def _make_ref(self, index: int) -> ArticleRef:
        ref = super()._make_ref(index)
        return replace(ref, modified=self.when.isoformat()) if index in self.touched else ref

    def _make_article(self, index: int) -> ReplicaArticle:
        article = super()._make_article(index)
        if index not in self.changed:
            return article
        *pages, last = article.pages
        return replace(article, pages=(*pages, (*last[:-1], last[-1] + UPDATE_NOTE)))
