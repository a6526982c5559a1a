"""Generic teaser knowledge shared by the DOM pre-pass and the line post-filter.

A teaser is text that advertises another article: a labelled line ("Baca juga: ..."), a block that is
just a link to another article of the same site, or a bare headline of another article. Also here:
ad labels and embed placeholders that portals leave inside bodies.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urljoin, urlsplit

# Labels that open a teaser block or line. Matched at the start, case-insensitively.
_LABELS = r"""
        (baca|lihat|simak|tonton|cek|saksikan)\s+(juga|pula|selengkapnya|berita|artikel|video)
      | baca\s*:
      | (artikel|berita|topik|video)\s+(terkait|lainnya|pilihan|menarik|rekomendasi)
      | rekomendasi\s+(berita|artikel)
      | (read|see)\s+(also|more)\s*:
      | related(\s+(articles?|stories|news|coverage))?\s*:
      | also\s+read\s*:
      | more\s+on\s+this\s*:
"""
TEASER_LABEL = re.compile(r"^\W{0,3}(" + _LABELS + ")", re.IGNORECASE | re.VERBOSE)
_CREDIT_WORDS = r"photo|foto|fotografer|pewarta\s+foto|credit|kredit|sumber"
# Any teaser or credit label at the start of a line of a page's lower-cased text (its text nodes
# joined by newlines): a cheap test on the whole page before walking its nodes one by one. The
# leading newline lets the regex engine jump from line to line; lower-casing first is 3x faster
# than IGNORECASE. Every label starts with a word character: the run of non-word characters is
# possessive and a word character must follow it before any label is tried, so the indentation
# lines that make most of a page's text fail at once.
LABEL_LINE_START = r"(?:" + _LABELS + r"| (?:" + _CREDIT_WORDS + r")[^\S\n]*:)"  # verbose
_ANY_LABEL_LINE = re.compile(r"\n[^\w\n]{0,8}+(?=\w)" + LABEL_LINE_START, re.VERBOSE)


def has_label_line(lowered_text: str) -> bool:
    """Whether a line of the lower-cased text opens with a teaser or credit label."""
    return _ANY_LABEL_LINE.search("\n" + lowered_text) is not None


def has_label_line_at(lowered_text: str, newline: int) -> bool:
    """Whether the line after the newline at that position opens with a teaser or credit label."""
    return _ANY_LABEL_LINE.match(lowered_text, newline) is not None


# Phrases that are pure boilerplate wherever they appear in a body. A line made only of these
# (ad blocks often render as "ADVERTISEMENT SCROLL TO CONTINUE WITH CONTENT") is dropped.
BOILERPLATE_PHRASE = re.compile(
    r"""(
        advertisement | iklan | sponsored(\s+link)? | scroll\s+to\s+(continue|resume)(\s+with)?(\s+content)?
      | img_title | image_title | halaman\s+(selanjutnya|sebelumnya|berikutnya) | berikutnya | selanjutnya
      | (follow|ikuti)\b.{0,40}\b(whatsapp|google\s+news|telegram)(\s+channel)?
      | (cek|simak)\s+berita\s+dan\s+artikel\s+(yang|yg)\s+lain\b.*
    )""",
    re.IGNORECASE | re.VERBOSE,
)


# Calls to action and page furniture that survive as short lines of their own.
CALL_TO_ACTION = re.compile(
    r"""(
        \b(sign\s+up|subscribe)\b.{0,80}\b(newsletter|inbox|today|now|free)\b
      | \bnewsletters?\b.{0,60}\b(inbox|sign\s+up|subscribe)\b
      | delivered\s+(to|through)\s+your\s+(inbox|letterbox|door)
      | ^(tell\s+us\s+what\s+you\s+think|leave\s+a\s+(comment|reply))\W*$
      | ^(\d*\s*comments?|share\s+this(\s+article)?)\W*$
      | ^(tags?|topik|kategori|categoria|filed\s+under)\s*:
      | ^(langganan|berlangganan)\b.{0,60}\b(newsletter|gratis)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
MAX_CALL_TO_ACTION_WORDS = 30
# A word that each phrase above holds, looked for in the lower-cased line before the phrases are:
# most lines hold none, and this test costs a fraction of the phrase patterns' (~2 against 7 and
# 15 microseconds a line, on every short line of every page).
_CALL_TO_ACTION_WORD = re.compile(
    "sign|subscri|newsletter|deliver|tell|leave|comment|share|tag|topik|kategori|categoria|filed|langganan"
)
_BOILERPLATE_WORD = re.compile(
    "advertisement|iklan|sponsored|scroll|img_title|image_title|halaman|berikutnya|selanjutnya|follow|ikuti|cek|simak"
)


def is_call_to_action(line: str) -> bool:
    if len(line.split()) > MAX_CALL_TO_ACTION_WORDS or _CALL_TO_ACTION_WORD.search(line.lower()) is None:
        return False
    return CALL_TO_ACTION.search(line) is not None


def is_boilerplate_line(line: str) -> bool:
    if _BOILERPLATE_WORD.search(line.lower()) is None:
        return False
    rest = BOILERPLATE_PHRASE.sub(" ", line)
    return rest != line and not re.search(r"\w", rest)


# Credit and copyright lines that close articles on any site ("Editor: Ade Marboen",
# "COPYRIGHT © ANTARA 2015", "© 2019 Example Media Ltd. All rights reserved."): short, and made
# of a label and a name, never a sentence of the article.
CREDIT_LINE = re.compile(
    r"^(editor|editing\s+by|reporting\s+by|pewarta|penulis|reporter|redaktur|penerjemah|translator)"
    r"\s*:\s*[^.!?:]{1,60}$",
    re.IGNORECASE,
)
COPYRIGHT_LINE = re.compile(r"^(copyright\b|©|\(c\)\s*\d{4})", re.IGNORECASE)
MAX_CREDIT_LINE_WORDS = 12


def is_credit_or_copyright(line: str) -> bool:
    if len(line.split()) > MAX_CREDIT_LINE_WORDS:
        return False
    return CREDIT_LINE.match(line) is not None or COPYRIGHT_LINE.match(line) is not None


# "[Gambas:Video 20detik]", "[Gambas:Instagram]" ... embed placeholders, removed anywhere in a line.
PLACEHOLDER = re.compile(r"\[\s*Gambas\s*:[^\]]*\]", re.IGNORECASE)

# A photo credit label ("Photo :", "Foto :") that opens a short credit. "Sumber :" is a credit only
# when a list of names follows it (VIVA); "Sumber: Pemerintah Kota X" in a body is a source line.
CREDIT_LABEL = re.compile(r"^\s*(photo|foto|fotografer|pewarta foto|credit|kredit)\s*:", re.IGNORECASE)
LIST_CREDIT_LABEL = re.compile(r"^\s*(sumber|photo|foto)\s*:\s*$", re.IGNORECASE)
# A caption that ends with its credit: "Bruno Mars memberi standing ovation. Foto: Grammy".
CAPTION_CREDIT = re.compile(r"(\(|\b)(foto|photo)\s*:\s*[^.!?:]{1,50}\)?$", re.IGNORECASE)


def ends_with_caption_credit(line: str) -> bool:
    # A colon and "oto" first: the pattern is searched from every position of the line.
    return ":" in line and "oto" in line.lower() and CAPTION_CREDIT.search(line) is not None


# "Video: https://...", "(Foto: http://...)": a media link, not prose. Bare URL lines stay (shops
# and sources list them in bodies), unless the line before them is a label such as "... Video:".
BARE_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
MEDIA_LINK = re.compile(
    r"^\(?\s*(video|foto|photo|gambar|image)\s*:\s*(https?://|www\.)\S+\s*\)?$", re.IGNORECASE
)

# Edge punctuation, found from each end: a search for trailing punctuation ("[\W_]+$") would try
# every position of the line (normalising was 3x slower, on every short line and link of a page).
_LEADING_PUNCT = re.compile(r"[\W_]+")
_UP_TO_LAST_WORD_CHAR = re.compile(r".*[^\W_]", re.DOTALL)


def normalise_headline(text: str) -> str:
    """Key for comparing headlines: NFKC, case-folded, single spaces, no edge punctuation."""
    text = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    leading = _LEADING_PUNCT.match(text)
    start = leading.end() if leading else 0
    words = _UP_TO_LAST_WORD_CHAR.match(text, start)
    return text[start : words.end()] if words else ""


def is_teaser_label(text: str) -> bool:
    return TEASER_LABEL.match(text.strip()) is not None


def registered_host(host: str) -> str:
    """The last two labels of a host (three for .co.id-style names): enough to tell 'same site'."""
    labels = host.lower().rstrip(".").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-2]) <= 3 and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


class SiteLinks:
    """Tells which hrefs of one page point to other articles of the same site (parsed once)."""

    def __init__(self, page_url: str, article_pattern: re.Pattern[str] | None) -> None:
        page = urlsplit(page_url)
        self.page_url = page_url
        self.site = registered_host(page.hostname) if page.hostname else None
        self.page_path = page.path.rstrip("/")
        self.pattern = article_pattern
        self._same_site: dict[str, bool] = {}  # per host: a page's links point to a few hosts

    def is_article_link(self, href: str) -> bool:
        if not href or self.site is None or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            return False
        if href.startswith(("http://", "https://", "//")):
            match = _ABSOLUTE.match(href)
            if match is None:
                return False
            host = match.group(1)
            if (same := self._same_site.get(host)) is None:
                same = self._same_site[host] = registered_host(host) == self.site
            if not same:
                return False
            path = match.group(2) or "/"
        elif ":" in href.split("/", 1)[0]:
            return False  # another scheme: ftp:, data:, whatsapp: ...
        elif href.startswith("/"):
            path = _PATH_END.split(href, 1)[0]
        else:
            path = urlsplit(urljoin(self.page_url, href)).path
        if path.rstrip("/") == self.page_path:
            return False  # a link to this very article (pager, anchor): not a teaser
        if self.pattern is not None:
            return self.pattern.search(path) is not None
        # Without a portal pattern: an article-like path has some depth or a long slug.
        stripped = path.strip("/")
        return stripped.count("/") >= 1 or len(stripped) > 25


# Fast paths for the thousands of links on a page: host and path without a full URL parse.
_ABSOLUTE = re.compile(r"^(?:https?:)?//(?:[^@/?#]*@)?([^/:?#]+)(?::\d+)?([^?#]*)")
_PATH_END = re.compile(r"[?#]")


_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_HEADLINE_END = re.compile(r"[.:;,…]$")


def looks_like_headline(line: str) -> bool:
    """A title-case line of headline length that does not end like a sentence.

    Only used for portals that insert other articles' headlines unlinked (`bare_headlines`):
    "Begini Tampang Panik Panglima Tentara Israel Saat Diserang Iran" goes, while a sentence-case
    subheading or any sentence ending in a full stop stays."""
    words = _WORD.findall(line)
    if not 4 <= len(words) <= 20 or _HEADLINE_END.search(line.strip()):
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised >= 0.7 * len(words) and words[0][0].isupper()
