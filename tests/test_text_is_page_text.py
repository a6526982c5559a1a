"""Property over every page of the shared corpora: the article text is the page's own text, in order.

Each sentence of each output line must occur in the page's visible text (the decoded page without
scripts, styles and SVG), compared with all whitespace removed (markup and line-joining change
spacing, never words), and the lines must follow each other as they do on the page. A word cut out
of a sentence (a link, an emptied inline element) breaks the sentence and fails this test.
Lines of fewer than four words are labels, not sentences, and are not checked.
Skipped when ../shared is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from cleaners.decode import decode_html
from cleaners.pipeline import clean_page
from cleaners.types import Article, Page
from scraper.evaluation.corpus import load_corpus

_SPACE = re.compile(r"\s+")
# Sentence ends (and clause ends: trafilatura joins some blocks without a space, "Akten:Milliarden").
_SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s*")
_INVISIBLE = "script, style, noscript, template, svg"
MIN_WORDS = 4


def visible_text(html: bytes) -> str:
    tree = LexborHTMLParser(decode_html(html, None, len(html) + 1))
    for node in tree.css(_INVISIBLE):
        node.decompose()
    return _SPACE.sub("", tree.body.text(separator="") if tree.body else "")


def violations(text: str, page: str) -> list[str]:
    found: list[str] = []
    position = 0
    for line in text.splitlines():
        if len(line.split()) < MIN_WORDS:
            continue
        # A table row is its cells joined by " | "; each cell is page text.
        for part in (p for cell in line.split(" | ") for p in _SENTENCE_END.split(cell)):
            key = _SPACE.sub("", part)
            if not key:
                continue
            at = page.find(key, position)
            if at >= 0:
                position = at
            elif page.find(key) >= 0:
                found.append(f"out of order: {part[:80]}")
            else:
                found.append(f"not page text: {part[:80]}")
    return found


@pytest.mark.parametrize("corpus", ["aeb", "id-news", "fundus-dev"])
def test_every_line_is_the_pages_own_text_in_order(shared: Path, corpus: str) -> None:
    failures: list[str] = []
    for gold in load_corpus(shared / "corpus" / corpus):
        result = clean_page(Page(url=gold.url, body=gold.html))
        if isinstance(result, Article):
            found = violations(result.text, visible_text(gold.html))
            failures.extend(f"{gold.name}: {v}" for v in found)
    assert not failures, "\n".join(failures[:20])


def test_the_property_catches_a_word_cut_out_of_a_sentence() -> None:
    page = _SPACE.sub("", "Support was especially high for Joe Biden, who visited twice. Next one here.")
    assert violations("Support was especially high for , who visited twice.", page)
    assert not violations("Support was especially high for Joe Biden, who visited twice.", page)
    assert violations(
        "Next one here again.\nSupport was especially high for Joe Biden, who visited twice.", page
    )
