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
TEASER_LABEL = re.compile(
    r"""^\W{0,3}(
        (baca|lihat|simak|tonton|cek|saksikan)\s+(juga|pula|selengkapnya|berita|artikel|video)
      | baca\s*:
      | (artikel|berita|topik|video)\s+(terkait|lainnya|pilihan|menarik|rekomendasi)
      | rekomendasi\s+(berita|artikel)
      | (read|see)\s+(also|more)\s*:
      | related(\s+(articles?|stories|news|coverage))?\s*:
      | also\s+read\s*:
      | more\s+on\s+this\s*:
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# Lines that are pure boilerplate wherever they appear in a body.
BOILERPLATE_LINE = re.compile(
    r"""^\W*(
        advertisement | iklan | sponsored | scroll\s+to\s+(continue|resume)(\s+with)?(\s+content)?
      | img_title | image_title | halaman\s+selanjutnya | berikutnya | selanjutnya
      | (follow|ikuti).{0,40}(whatsapp|google\s+news|telegram)\b.*
      | (cek|simak)\s+berita\s+dan\s+artikel\s+(yang|yg)\s+lain.*
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)

# "[Gambas:Video 20detik]", "[Gambas:Instagram]" ... embed placeholders, removed anywhere in a line.
PLACEHOLDER = re.compile(r"\[\s*Gambas\s*:[^\]]*\]", re.IGNORECASE)

# A photo credit label ("Sumber :", "Photo :", "Foto :") that opens a short credit, never a sentence.
CREDIT_LABEL = re.compile(r"^\s*(sumber|photo|foto|credit|kredit)\s*:", re.IGNORECASE)

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
        if href.startswith("/") and not href.startswith("//"):
            path = urlsplit(href).path  # same host: no need to resolve
        else:
            target = urlsplit(urljoin(self.page_url, href))
            if target.scheme not in ("http", "https") or not target.hostname:
                return False
            if registered_host(target.hostname) != self.site:
                return False
            path = target.path
        if path.rstrip("/") == self.page_path:
            return False  # a link to this very article (pager, anchor): not a teaser
        if self.pattern is not None:
            return self.pattern.search(path) is not None
        # Without a portal pattern: an article-like path has some depth or a long slug.
        stripped = path.strip("/")
        return stripped.count("/") >= 1 or len(stripped) > 25
