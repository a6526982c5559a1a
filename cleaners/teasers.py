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
# than IGNORECASE.
_ANY_LABEL_LINE = re.compile(
    r"\n[^\w\n]{0,8}(?:" + _LABELS + r"| (?:" + _CREDIT_WORDS + r")[^\S\n]*:)", re.VERBOSE
)


def has_label_line(text: str) -> bool:
    return _ANY_LABEL_LINE.search("\n" + text.lower()) is not None


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


def is_call_to_action(line: str) -> bool:
    return len(line.split()) <= MAX_CALL_TO_ACTION_WORDS and CALL_TO_ACTION.search(line) is not None


def is_boilerplate_line(line: str) -> bool:
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
# "Video: https://...", "(Foto: http://...)": a media link, not prose. Bare URL lines stay (shops
# and sources list them in bodies), unless the line before them is a label such as "... Video:".
BARE_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
MEDIA_LINK = re.compile(
    r"^\(?\s*(video|foto|photo|gambar|image)\s*:\s*(https?://|www\.)\S+\s*\)?$", re.IGNORECASE
)

_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


def normalise_headline(text: str) -> str:
    """Key for comparing headlines: NFKC, case-folded, single spaces, no edge punctuation."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SPACE.sub(" ", text).strip()
    return _EDGE_PUNCT.sub("", text)


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

    def is_article_link(self, href: str) -> bool:
        if not href or self.site is None or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            return False
        if href.startswith(("http://", "https://", "//")):
            match = _ABSOLUTE.match(href)
            if match is None or registered_host(match.group(1)) != self.site:
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
