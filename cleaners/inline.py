"""Inline markup that trafilatura misreads, repaired before the HTML is handed to it.

Four ways trafilatura cuts words out of sentences:
- in precision mode it drops whole paragraphs that hold a link (its link-density test), so a
  paragraph that cites another article in passing is lost. A link with words beside it in its
  paragraph is unwrapped to its text (output carries no links anyway); a paragraph made mostly of
  links keeps them, so that teaser lists are still judged as such.
- its precision pruning deletes elements by class/id words ("link", "bottom", "teaser", "caption"
  ...) with no regard for where they sit: `for <span class="link"><a>Joe Biden</a></span>.` loses
  the name. An inline element with text on either side inside its block is part of a sentence, so
  its class, id and style are removed; what it is called says nothing about the sentence.
- it deletes empty elements (`<b></b>`, `<span class="br"></span>`) together with the text that
  follows them (the lxml tail) in precision mode. Empty elements are removed here first; an empty
  block element, or an empty inline one named as a break, that separates text becomes a <br>.
- it discards every element with aria-hidden="true". Paywalled pages serve the paragraphs beyond
  the free part as `<p aria-hidden="true">` (blurred until the reader pays): sentences of the
  article all the same. A paragraph element so marked that holds a sentence loses the mark; other
  hidden elements (icons, duplicated labels, ad slots, menus) keep it.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from cleaners.scope import INLINE, MIN_PARAGRAPH_CHARS, SENTENCE_END

_MARKS = ("class", "id", "style")
# Elements that carry a mark, selected by lexbor; the inline ones among them are kept in Python
# (three selectors and a set look-up cost a third of one selector per inline tag and mark).
_MARKED = ", ".join(f"[{mark}]" for mark in _MARKS)
_MARKABLE_INLINE = INLINE - {"br", "wbr"}
# The tags trafilatura drops when empty (its CUT_EMPTY_ELEMS), split by how they render.
_EMPTY_INLINE = r"b|em|i|q|span|strong|font|u|small|a"
_EMPTY_BLOCK = r"article|blockquote|dd|div|dt|h[1-6]|li|main|p|pre|section"
_EMPTY_ELEMENT = re.compile(
    rf"<(?P<tag>{_EMPTY_INLINE}|{_EMPTY_BLOCK})(?P<attrs>\s[^>]*)?></(?P=tag)>(?=\s*[^\s<])",
    re.IGNORECASE,
)
_BLOCK = re.compile(rf"^(?:{_EMPTY_BLOCK})$", re.IGNORECASE)
# Empty spans that stand for a line break in their class: "br", "line-break", "linebreak".
_BREAK_CLASS = re.compile(r"(?:^|[\s_-])(?:br|(?:line-?)?break)(?:$|[\s_-])", re.IGNORECASE)


def _empty_element(match: re.Match[str]) -> str:
    if _BLOCK.match(match.group("tag")) or _BREAK_CLASS.search(match.group("attrs") or ""):
        return "<br>"
    return ""


def keep_text_after_empty_elements(html: str) -> str:
    """Remove empty elements that text follows (twice: nested empty elements), breaks kept."""
    if "></" not in html:
        return html
    for _ in range(2):
        html, count = _EMPTY_ELEMENT.subn(_empty_element, html)
        if not count:
            break
    return html


def _has_text(node: LexborNode | None) -> bool:
    return node is not None and node.is_text_node and bool((node.text_content or "").strip())


def _has_words(node: LexborNode | None) -> bool:
    return node is not None and node.is_text_node and _WORD.search(node.text_content or "") is not None


_WORD = re.compile(r"[^\W\d_]{2}")
MAX_LINK_SHARE = 0.5


def _in_sentence(node: LexborNode) -> bool:
    current: LexborNode | None = node
    while current is not None and current.tag in INLINE:
        if _has_text(current.prev) or _has_text(current.next):
            return True
        current = current.parent
    return False


def _block_of(node: LexborNode) -> LexborNode | None:
    current = node.parent
    while current is not None and current.tag in INLINE:
        current = current.parent
    return current


def _mostly_links(block: LexborNode, cache: dict[int, bool]) -> bool:
    if block.mem_id not in cache:
        text = len(block.text(strip=True))
        linked = sum(len(link.text(strip=True)) for link in block.css("a"))
        cache[block.mem_id] = linked > MAX_LINK_SHARE * text
    return cache[block.mem_id]


def unlink_links_in_sentences(root: LexborNode) -> None:
    """Unwrap links that have words beside them, in blocks that are not mostly links, or that
    are the one link of a sentence that runs on after it ("It also <a>co-ordinates ...</a>.")."""
    cache: dict[int, bool] = {}
    for link in root.css("a"):
        if not (_has_words(link.prev) or _has_words(link.next)):
            continue
        block = _block_of(link)
        if block is not None and (not _mostly_links(block, cache) or _sentence_around(link, block)):
            link.unwrap()


# A label before a link ends like one: "Read also:", "WATCH -", "Video |".
_LABEL_END = re.compile(r"[:|>»\-–—]\s*$")
_SENTENCE_GOES_ON = re.compile(r"^\s*(?:[.,;!?)]|[^\W\d_]{2})")


def _sentence_around(link: LexborNode, block: LexborNode) -> bool:
    """The block's only link, inside a sentence: words before it that are no label, and the
    sentence goes on after it (punctuation or words), as a teaser line never does."""
    before, after = link.prev, link.next
    if not (_has_words(before) and after is not None and after.is_text_node):
        return False
    if _LABEL_END.search(before.text_content or "") or not _SENTENCE_GOES_ON.match(after.text_content or ""):
        return False
    return len(block.css("a")) == 1


def unmark_inline_in_sentences(root: LexborNode) -> None:
    """Strip class, id and style from inline elements that have text beside them in their block
    (or sit in such an inline element)."""
    unlink_links_in_sentences(root)
    for node in root.css(_MARKED):
        if node.tag not in _MARKABLE_INLINE or not _in_sentence(node):
            continue
        attrs = node.attrs
        for name in _MARKS:
            if name in attrs:
                del attrs[name]


def unhide_hidden_paragraphs(root: LexborNode) -> None:
    """Drop aria-hidden="true" from <p> elements that hold a sentence (paywalled paragraphs)."""
    for node in root.css('p[aria-hidden="true"]'):
        text = node.text(strip=True)
        if len(text) >= MIN_PARAGRAPH_CHARS and text[-1] in SENTENCE_END:
            del node.attrs["aria-hidden"]
