"""Any portal with rules, as a replica: its articles made from its fixture page, at URLs of its shape.

A portal's knowledge is data, and so is its replica: `FamilySite("detik", 40)` reads
`cleaners/portals/detik.toml` and `tests/fixtures/portals/detik.{html,json}` and makes article i
from the fixture page by substitution, nothing else:

- its URL: the fixture URL's path with the title's slug replaced by article i's, the fixture's
  publication date (as /YYYY/MM/DD/ or 20261110153000) by article i's, and every id of five or
  more digits shifted by i; it must match the rules' `article_url` (checked here);
- its title (article i of a `ReplicaSite` with the same seed: unique headlines) wherever the
  fixture's title stands, escaped for HTML or for JSON inside scripts;
- its publication date (17 minutes apart, newest first) wherever the fixture's date stands, in
  every form the fixture prints it (ISO, 2026/11/19 14:30:00, 19/11/2026, Kamis, 19 Nov 2026,
  14:30 ...);
- its body: in every text run of the page that belongs to the fixture's expected text, each
  lowercase word of four letters or more is swapped for a word of the replica's vocabulary
  (chosen by the article and the word), so no two articles have the same text;
- links to the portal's hosts point at the replica, as on a mirror.

`expected(i)` is the fixture's expected record put through the same substitutions: the title,
date and text the cleaner must give for article i; the fixture's teasers stay teasers. Where the
portal's discovery sources are is `family_layout.py`'s business.
"""

from __future__ import annotations

import html
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from cleaners.portals import PortalRules, portal_by_name
from scraper.errors import ConfigError
from scraper.replica import words
from scraper.replica.feeds import Response
from scraper.replica.site import DEFAULT_START, ReplicaSite, slugify

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "portals"
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip
# Teaser labels and credits the cleaner keys on never come out of the word swap.
_KEEP = {"baca", "juga", "lihat", "simak", "berita", "terkait", "foto", "sumber", "video", "artikel"}
VOCABULARY = tuple(
    sorted(
        {
            word
            for phrase in (*words.SUBJECTS, *words.VERBS, *words.OBJECTS, *words.ADVERBIALS, *words.ROLES)
            for word in phrase.split()
            if re.fullmatch(r"[a-z]{4,}", word) and word not in _KEEP
        }
    )
)
_WORD = re.compile(r"&#?\w+;|\b[a-z]{4,}\b")  # entities are matched only to be skipped
_MARKUP = re.compile(r"(<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<[^>]*>)", re.S | re.I)
_SCRIPT = re.compile(r"(<script\b.*?</script>)", re.S | re.I)
_ABSOLUTE = re.compile(r"https?://([A-Za-z0-9.-]+)(?::\d+)?")


@dataclass(frozen=True, slots=True)
class FamilyRef:
    """The cheap part of article i: enough for sitemaps, feeds and index pages."""

    index: int
    path: str
    title: str
    published: datetime

    @property
    def published_iso(self) -> str:
        return self.published.isoformat()


def load_fixture(portal: str, fixtures: Path = FIXTURES) -> tuple[str, dict[str, Any]]:
    page, record = fixtures / f"{portal}.html", fixtures / f"{portal}.json"
    if not page.is_file() or not record.is_file():
        raise ConfigError(
            f"no fixture for portal {portal!r} in {fixtures} (the replica needs a source checkout)"
        )
    return page.read_text(encoding="utf-8"), json.loads(record.read_text(encoding="utf-8"))


class FamilySite:
    """Portal `portal`'s replica content: `n_articles` articles, index 0 the newest."""

    def __init__(
        self, portal: str, n_articles: int, seed: int = 1, start: datetime = DEFAULT_START,
        fixtures: Path = FIXTURES,
    ) -> None:  # fmt: skip
        rules = portal_by_name(portal)
        if rules is None:
            raise ConfigError(f"no rules for portal {portal!r}")
        self.rules: PortalRules = rules
        self.portal, self.seed = portal, seed
        self.template, fixture = load_fixture(portal, fixtures)
        self.fixture_url: str = fixture["url"]
        self.fixture: dict[str, Any] = fixture["expected"]
        self.fixture_teasers: tuple[str, ...] = tuple(fixture["teasers"])
        self.texts = ReplicaSite(n_articles, seed=seed, start=start)  # headlines and dates
        self.fixture_published = datetime.fromisoformat(self.fixture["published_at"])
        self.path_of = _path_maker(self.fixture_url, self.fixture["title"], self.fixture_published)
        self.ref: Callable[[int], FamilyRef] = lru_cache(maxsize=8192)(self._make_ref)
        self._page: Callable[[int, str], bytes] = lru_cache(maxsize=64)(self._render)
        if n_articles and rules.is_article_url("http://replica" + self.ref(0).path) is False:
            raise ConfigError(f"{portal}: the URL shape made from its fixture URL does not match article_url")

    def __len__(self) -> int:
        return len(self.texts)

    def __repr__(self) -> str:
        return f"FamilySite({self.portal!r}, n_articles={len(self)}, seed={self.seed})"

    def _make_ref(self, index: int) -> FamilyRef:
        source = self.texts.ref(index)
        published = datetime.fromisoformat(source.published)
        return FamilyRef(index, self.path_of(index, source.title, published), source.title, published)

    def iter_refs(self, start: int = 0, stop: int | None = None) -> list[FamilyRef]:
        stop = len(self) if stop is None else min(stop, len(self))
        return [self.ref(i) for i in range(max(start, 0), stop)]

    @cached_property
    def _paths(self) -> dict[str, int]:
        return {self.ref(i).path: i for i in range(len(self))}

    def by_path(self, path: str) -> int | None:
        """The index of the article at this path (query ignored), or None."""
        return self._paths.get(path.split("?", 1)[0])

    # -- one article ------------------------------------------------------------------------------

    def page(self, index: int, base_url: str) -> bytes:
        return self._page(index, base_url.rstrip("/"))

    def article_response(self, index: int, base_url: str) -> Response:
        return Response(200, {"Content-Type": "text/html; charset=utf-8"}, self.page(index, base_url))

    def expected(self, index: int) -> dict[str, Any]:
        """The record the cleaner must give for article i (fields of the fixture's `expected`)."""
        ref = self.ref(index)
        restamp = _restamper(self.fixture_published, ref.published)
        text = _swap_words(restamp(self.fixture["text"]), self.seed, index)
        return {**self.fixture, "title": ref.title, "published_at": ref.published_iso, "text": text}

    def teasers(self, index: int) -> tuple[str, ...]:
        restamp = _restamper(self.fixture_published, self.ref(index).published)
        return tuple(restamp(teaser) for teaser in self.fixture_teasers)

    def _render(self, index: int, base_url: str) -> bytes:
        ref, fixture = self.ref(index), self.fixture
        page = self.template.replace(self.fixture_url, base_url + ref.path)
        page = _ABSOLUTE.sub(lambda m: base_url if self.rules.matches_host(m[1]) else m[0], page)
        page = _retitle(page, fixture["title"], ref.title)
        restamp = _restamper(self.fixture_published, ref.published)
        page = restamp(page)
        body = restamp(fixture["text"])
        keep = {fixture["title"], ref.title, fixture["section"] or "", *fixture["authors"]}
        parts = _MARKUP.split(page)
        for k in range(0, len(parts), 2):  # the text runs between tags
            run = " ".join(html.unescape(parts[k]).split())
            if run and run not in keep and _WORD.search(run) and run in body:
                parts[k] = _swap_words(parts[k], self.seed, index)
        return "".join(parts).encode("utf-8")


def _swap_words(text: str, seed: int, index: int) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match[0]
        if word.startswith("&") or word in _KEEP:
            return word
        return VOCABULARY[zlib.crc32(f"{seed}:{index}:{word}".encode()) % len(VOCABULARY)]

    return _WORD.sub(swap, text)


def _retitle(page: str, old: str, new: str) -> str:
    """The title in the page's HTML (escaped as HTML) and in its scripts (JSON-LD: escaped as JSON)."""
    in_html = [(html.escape(old, quote=q), html.escape(new)) for q in (True, False)] + [
        (old, html.escape(new))
    ]
    in_html.append((old.replace("'", "&#39;"), html.escape(new)))
    in_json = (json.dumps(old, ensure_ascii=False)[1:-1], json.dumps(new, ensure_ascii=False)[1:-1])
    parts = _SCRIPT.split(page)
    for k, part in enumerate(parts):
        if k % 2:
            parts[k] = part.replace(*in_json)
        else:
            for before, after in in_html:
                part = part.replace(before, after)
            parts[k] = part
    return "".join(parts)


def _restamper(old: datetime, new: datetime) -> Callable[[str], str]:
    """Every printed form of the date `old` (as the fixture prints it) made into `new`."""
    o, n = old, new
    day_o, day_n = DAYS[o.weekday()], DAYS[n.weekday()]
    month_o, month_n = MONTHS[o.month - 1], MONTHS[n.month - 1]

    def pad(matched: str, value: int) -> str:
        return f"{value:02d}" if len(matched) == 2 else str(value)

    rules: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
        (  # 2026-11-19T14:30:00, 2026/11/19 14:30:00, 2026-11-19T14-30-00Z, 2026/11/19
            re.compile(
                rf"(?<!\d){o:%Y}(?P<s>[-/]){o:%m}(?P=s){o:%d}"
                rf"(?:(?P<t>[T ]){o:%H}(?P<u>[:-]){o:%M}(?:(?P=u)(?P<sec>{o:%S}))?)?(?!\d)"
            ),
            lambda m: (
                f"{n:%Y}{m['s']}{n:%m}{m['s']}{n:%d}"
                + (f"{m['t']}{n:%H}{m['u']}{n:%M}" if m["t"] else "")
                + (f"{m['u']}{n:%S}" if m["sec"] else "")
            ),
        ),
        (re.compile(rf"(?<!\d){o:%Y%m%d%H%M%S}(?!\d)"), lambda m: f"{n:%Y%m%d%H%M%S}"),
        (  # 19/11/2026, (19/11)
            re.compile(rf"(?<![\d/])(?P<d>0?{o.day})/(?P<m>0?{o.month})(?P<y>/{o:%Y})?(?![\d/])"),
            lambda m: f"{pad(m['d'], n.day)}/{pad(m['m'], n.month)}" + (f"/{n:%Y}" if m["y"] else ""),
        ),
        (  # 19 November 2026, 19 Nov 2026
            re.compile(rf"(?<!\d)(?P<d>0?{o.day}) (?P<mon>{month_o}|{month_o[:3]}) {o:%Y}(?!\d)"),
            lambda m: f"{pad(m['d'], n.day)} {month_n if m['mon'] == month_o else month_n[:3]} {n:%Y}",
        ),
        (re.compile(rf"\b{day_o}\b"), lambda m: day_n),
        (re.compile(rf"(?<![\d:.]){o:%H}(?P<s>[:.]){o:%M}(?![\d:])"), lambda m: f"{n:%H}{m['s']}{n:%M}"),
    ]

    def restamp(text: str) -> str:
        for pattern, replace in rules:
            text = pattern.sub(replace, text)
        return text

    return restamp


def _path_maker(url: str, title: str, published: datetime) -> Callable[[int, str, datetime], str]:
    """Article paths of the fixture URL's shape (see the module doc)."""
    path = re.sub(r"^https?://[^/]+", "", url)
    slug = slugify(title)
    if slug not in path:
        runs = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", path)
        if not runs:
            raise ConfigError(f"cannot find the title's slug in the fixture URL {url}")
        slug = max(runs, key=len)
    before, _, after = path.partition(slug)

    dates = {f"{published:%Y%m%d%H%M%S}", f"{published:%Y%m%d}"}

    def reshape(part: str, index: int, when: datetime) -> str:
        def shift(match: re.Match[str]) -> str:
            run = match[0]
            return run if run in dates else str((int(run) - index) % 10 ** len(run)).zfill(len(run))

        return _restamper(published, when)(re.sub(r"(?<!\d)\d{5,}(?!\d)", shift, part))

    def make(index: int, new_title: str, when: datetime) -> str:
        return reshape(before, index, when) + slugify(new_title) + reshape(after, index, when)

    return make
