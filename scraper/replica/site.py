"""Deterministic content of the replica VIVA-like portal. Pure: no I/O, no clock, no global state.

Article i is a function of (seed, i) only, computed on demand from `random.Random(f"{seed}:{i}:…")`
with small LRU caches, so a 50,000-article site costs the same memory as a 5-article one. All text
is invented from the word lists in `words.py`; nothing is copied from real pages.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from functools import lru_cache

from scraper.replica import words

WIB = timezone(timedelta(hours=7), "WIB")
DEFAULT_START = datetime(2026, 11, 20, 8, 0, tzinfo=WIB)
ID_TOP = 2_000_000  # article i has id ID_TOP - i: as on the real site, newer means larger id
MAX_ARTICLES = 1_000_000  # keeps ids positive and place names (hence titles) unique
SPACING = timedelta(minutes=17)  # article i is published i * 17 min before `start`
MAX_EDIT_DELAY = 180  # minutes; bounds `modified - published`, which the sitemap lastmod relies on

# Inline-teaser and credit boilerplate that must never reach clean text.
BACA_JUGA = "Baca Juga:"
AD_TEXTS = ("ADVERTISEMENT", "SCROLL TO CONTINUE WITH CONTENT")
IMG_ALT = "img_title"
LEAD_CREDIT_LABEL = "Sumber :"
PHOTO_CREDIT_LABEL = "Photo :"
NEXT_PAGE = "Halaman Selanjutnya"
PREV_PAGE = "Halaman Sebelumnya"
POPULAR_LABEL = "Terpopuler"
RELATED_LABEL = "Berita Terkait"
FOOTER_TEXT = "© 2026 Replika VIVA. Situs uji lokal, seluruh isi adalah karangan."


class TeaserKind(StrEnum):
    """The inline blocks interleaved with body paragraphs (NOTES §1d)."""

    RECOMMENDED = "recommended"  # div.recommended-article with a "Baca Juga:" list
    LINKED_HEADLINE = "linked_headline"  # <p><a href=other>Other title</a></p>
    WIDGET = "widget"  # div.widget-other-article
    BARE_HEADLINE = "bare_headline"  # <p>Other title</p>, no link: only a headline index catches it
    AD = "ad"  # div.ads-inarticle
    PHOTO = "photo"  # <figure> with caption and "Photo :" credit list


TITLE_KINDS = (
    TeaserKind.RECOMMENDED,
    TeaserKind.LINKED_HEADLINE,
    TeaserKind.WIDGET,
    TeaserKind.BARE_HEADLINE,
)


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """The cheap part of an article (no body): enough for links, feeds, sitemaps and index pages."""

    index: int
    id: int
    kanal: str
    sub: str | None
    section: str
    slug: str
    path: str
    title: str
    published: str  # ISO 8601, +07:00
    modified: str
    author: str
    tags: tuple[str, ...]
    description: str


@dataclass(frozen=True, slots=True)
class Insert:
    """One inline block placed after paragraph `after` (0-based) of page `page` (0-based)."""

    kind: TeaserKind
    page: int
    after: int
    refs: tuple[ArticleRef, ...] = ()
    caption: str = ""
    credit: str = ""
    image: str = ""


@dataclass(frozen=True, slots=True)
class ReplicaArticle(ArticleRef):
    """A full article. Sequences are tuples so cached instances cannot be mutated by callers."""

    pages: tuple[tuple[str, ...], ...] = ()
    teasers: tuple[str, ...] = ()  # every boilerplate string on the page; none is in body_text
    inserts: tuple[Insert, ...] = ()
    popular: tuple[ArticleRef, ...] = ()  # "Terpopuler" sidebar
    related: tuple[ArticleRef, ...] = ()  # "Berita Terkait" box
    image: str = ""  # site-relative path of the lead photo
    lead_caption: str = ""
    lead_credit: str = ""
    div_paragraphs: bool = False  # 2016-style <div> paragraphs instead of <p>

    @property
    def body_text(self) -> str:
        """The gold clean text: every paragraph of every page, one per line."""
        return "\n".join(paragraph for page in self.pages for paragraph in page)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _place_name(seed: int, index: int) -> str:
    """A pronounceable name that is a bijection of the index (7919 is coprime to 20**5), so every
    headline, which always ends with it, is unique within a site."""
    x = (index * 7_919 + seed * 104_729) % 20**5
    parts = []
    for _ in range(5):
        x, digit = divmod(x, 20)
        parts.append(words.SYLLABLES[digit])
    return "".join(parts).capitalize()


def _person(rng: random.Random) -> str:
    return f"{rng.choice(words.FIRST)} {rng.choice(words.LAST)}"


def _sentence(rng: random.Random) -> str:
    subject, verb = rng.choice(words.SUBJECTS), rng.choice(words.VERBS)
    obj, adv = rng.choice(words.OBJECTS), rng.choice(words.ADVERBIALS)
    form = rng.randrange(5)
    if form == 0:
        return f"“Kami {verb} {obj} {adv},” kata {_person(rng)}, {rng.choice(words.ROLES)}."
    if form == 1:
        return f"Menurut {rng.choice(words.ROLES)}, {subject.lower()} {verb} {obj} {adv}."
    if form == 2:
        return f"Selain itu, {subject.lower()} juga {verb} {obj}."
    return f"{subject} {verb} {obj} {adv}."


def _paragraph(rng: random.Random, prefix: str = "") -> str:
    """20 to 60 words counting the prefix: sentences are at most 20 words, so the stopping rules
    keep both bounds."""
    limit = 60 - len(prefix.split())
    target, count, sentences = rng.randint(20, limit), 0, []
    while count < target:
        sentence = _sentence(rng)
        size = len(sentence.split())
        if count >= 20 and count + size > limit:
            break
        sentences.append(sentence)
        count += size
    return prefix + " ".join(sentences)


def _caption(rng: random.Random, prefix: str) -> str:
    return f"{prefix} {rng.choice(words.OBJECTS)} {rng.choice(words.ADVERBIALS)}."


class ReplicaSite:
    """A generated news site of `n_articles` articles; index 0 is the newest."""

    def __init__(self, n_articles: int, seed: int = 1, start: datetime = DEFAULT_START) -> None:
        if not 0 <= n_articles <= MAX_ARTICLES:
            raise ValueError(f"n_articles must be between 0 and {MAX_ARTICLES}")
        self.n_articles, self.seed = n_articles, seed
        self.start = start if start.tzinfo else start.replace(tzinfo=WIB)
        # Per-instance caches: crawls revisit neighbours (teaser links) and sitemap pages.
        self.ref: Callable[[int], ArticleRef] = lru_cache(maxsize=4096)(self._make_ref)
        self._article: Callable[[int], ReplicaArticle] = lru_cache(maxsize=128)(self._make_article)

    def __len__(self) -> int:
        return self.n_articles

    def __repr__(self) -> str:
        return f"ReplicaSite(n_articles={self.n_articles}, seed={self.seed})"

    def article(self, index: int) -> ReplicaArticle:
        if not 0 <= index < self.n_articles:
            raise IndexError(f"article index {index} out of range 0..{self.n_articles - 1}")
        return self._article(index)

    def by_id(self, article_id: int) -> ReplicaArticle | None:
        index = ID_TOP - article_id
        return self._article(index) if 0 <= index < self.n_articles else None

    def by_path(self, path: str) -> ReplicaArticle | None:
        """The article at this URL path (query ignored), or None for an unknown id or wrong slug."""
        path = path.split("?", 1)[0]
        match = re.search(r"/(\d+)-[a-z0-9-]+$", path)
        article = self.by_id(int(match.group(1))) if match else None
        return article if article is not None and article.path == path else None

    def iter_articles(self) -> Iterator[ReplicaArticle]:
        return (self._article(i) for i in range(self.n_articles))

    def iter_refs(self, start: int = 0, stop: int | None = None) -> Iterator[ArticleRef]:
        stop = self.n_articles if stop is None else min(stop, self.n_articles)
        return (self.ref(i) for i in range(max(start, 0), stop))

    def published_at(self, index: int) -> datetime:
        return self.start - index * SPACING

    def _make_ref(self, index: int) -> ArticleRef:
        if not 0 <= index < self.n_articles:
            raise IndexError(f"article index {index} out of range")
        rng = random.Random(f"{self.seed}:{index}:ref")
        kanal, sub, section, topic = rng.choice(words.KANALS)
        subjects, predicates, links = words.HEADLINES[topic]
        place = _place_name(self.seed, index)
        title = f"{rng.choice(subjects)} {rng.choice(predicates)} {rng.choice(links)} {place}"
        article_id, slug = ID_TOP - index, slugify(title)
        published = self.published_at(index)
        edit_delay = rng.randint(1, MAX_EDIT_DELAY) if rng.random() < 0.4 else 0
        tags = rng.sample(words.TAGS[topic], 2) + rng.sample(words.GENERAL_TAGS, rng.randint(0, 2))
        return ArticleRef(
            index=index,
            id=article_id,
            kanal=kanal,
            sub=sub,
            section=section,
            slug=slug,
            path="/" + "/".join(p for p in (kanal, sub, f"{article_id}-{slug}") if p),
            title=title,
            published=published.isoformat(),
            modified=(published + timedelta(minutes=edit_delay)).isoformat(),
            author=_person(rng),
            tags=tuple(tags),
            description=_sentence(rng),
        )

    def _others(self, rng: random.Random, index: int, count: int) -> tuple[ArticleRef, ...]:
        """Up to `count` distinct other articles of this site (fewer on tiny sites)."""
        if self.n_articles < 2:
            return ()
        picked = {(index + rng.randrange(1, self.n_articles)) % self.n_articles for _ in range(count)}
        return tuple(self.ref(j) for j in sorted(picked))

    def _make_article(self, index: int) -> ReplicaArticle:
        ref = self.ref(index)
        rng = random.Random(f"{self.seed}:{index}:body")
        n_pages = rng.choice((2, 3)) if rng.random() < 0.2 else 1
        pages = [
            [_paragraph(rng, "VIVA – " if (p, n) == (0, 0) else "") for n in range(rng.randint(3, 8))]
            for p in range(n_pages)
        ]
        div_paragraphs = rng.random() < 0.1
        inserts = self._plan_inserts(rng, index, [len(page) for page in pages])
        popular, related = self._others(rng, index, 5), self._others(rng, index, 4)
        lead_caption = _caption(rng, "Ilustrasi")
        lead_credit = f"VIVA.co.id/{_person(rng)}"
        base = {f.name: getattr(ref, f.name) for f in fields(ArticleRef)}
        article = ReplicaArticle(
            **base,
            pages=tuple(tuple(page) for page in pages),
            inserts=inserts,
            popular=popular,
            related=related,
            image=f"/appasset/images/{ref.id}-lead.jpg",
            lead_caption=lead_caption,
            lead_credit=lead_credit,
            div_paragraphs=div_paragraphs,
        )
        return _with_teasers(article)

    def _plan_inserts(self, rng: random.Random, index: int, page_sizes: list[int]) -> tuple[Insert, ...]:
        kinds = rng.sample(list(TeaserKind), rng.randint(3, len(TeaserKind)))
        if rng.random() < 0.5:  # the real hard case has several bare headlines in one body
            kinds.append(rng.choice((TeaserKind.BARE_HEADLINE, TeaserKind.LINKED_HEADLINE)))
        if self.n_articles < 2:
            kinds = [kind for kind in kinds if kind not in TITLE_KINDS]
        inserts = []
        for kind in kinds:
            page = rng.randrange(len(page_sizes))
            after = rng.randrange(page_sizes[page] - 1)  # always between two paragraphs
            count = rng.randint(1, 2) if kind is TeaserKind.RECOMMENDED else 1
            refs = self._others(rng, index, count) if kind in TITLE_KINDS else ()
            caption = credit = image = ""
            if kind is TeaserKind.PHOTO:
                caption = _caption(rng, rng.choice(("Suasana", "Tampak")))
                credit = f"Instagram {_person(rng)}"
                image = f"/appasset/images/{ID_TOP - index}-{len(inserts)}.jpg"
            inserts.append(Insert(kind, page, after, refs, caption, credit, image))
        return tuple(sorted(inserts, key=lambda ins: (ins.page, ins.after)))


def _with_teasers(article: ReplicaArticle) -> ReplicaArticle:
    """Record every boilerplate string the page will carry (order-preserving, no duplicates)."""
    found = [article.lead_caption, LEAD_CREDIT_LABEL, article.lead_credit, IMG_ALT]
    for insert in article.inserts:
        if insert.kind is TeaserKind.RECOMMENDED:
            found.append(BACA_JUGA)
        elif insert.kind is TeaserKind.AD:
            found.extend(AD_TEXTS)
        elif insert.kind is TeaserKind.PHOTO:
            found.extend((insert.caption, PHOTO_CREDIT_LABEL, insert.credit))
        found.extend(ref.title for ref in insert.refs)
    if len(article.pages) > 1:
        found.extend((NEXT_PAGE, PREV_PAGE))
    if article.popular:
        found.append(POPULAR_LABEL)
        found.extend(ref.title for ref in article.popular)
    if article.related:
        found.append(RELATED_LABEL)
        found.extend(ref.title for ref in article.related)
    found.append(FOOTER_TEXT)
    return replace(article, teasers=tuple(dict.fromkeys(found)))
