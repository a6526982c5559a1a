"""Sections of other content that a label heads: "You may also like", "Don't miss", "Related".

A page's related-content block is often made of whole teaser posts (a title and a paragraph each),
so it can hold more prose than the article and win the container choice. What gives it away is its
label: a short heading or block whose whole text is a related-content label.

Removed, with guards:
- the label itself, always (a short line of furniture);
- when the label opens its parent (nothing of substance before it) and that parent does not hold
  the headline: the label's following siblings, which are the section's content;
- otherwise (the label sits inside the article body): only the following block, and only when it
  is mostly links (a list of headlines), never a paragraph of prose.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from cleaners.scope import INLINE, remove_outermost

_LABELS = r"""
        you\s+(may|might|could)\s+(also\s+)?(like|enjoy|be\s+interested\s+in)
      | related(\s+(posts?|articles?|stories|news|content|coverage|reading|links))?
      | more\s+(stories|news|articles|to\s+read|from\s+\w+(\s+\w+)?)
      | recommended(\s+(for\s+you|stories|articles|reading))?
      | don'?t\s+miss | most\s+(popular|read|viewed|shared) | trending(\s+now)?
      | read\s+next | further\s+reading | other\s+stories | popular\s+(posts|stories)
      | (você|voce)\s+(também\s+)?pode\s+gostar | leia\s+também | veja\s+também
      | (también\s+)?te\s+puede\s+interesar | lea\s+también | más\s+noticias
      | mehr\s+zum\s+thema | das\s+könnte\s+(sie|dich)\s+(auch\s+)?interessieren | lesen\s+sie\s+auch
      | à\s+lire\s+aussi | lire\s+aussi | sur\s+le\s+même\s+sujet
      | noticias?\s+relacionadas? | leggi\s+anche | (ti\s+)?potrebbe\s+(anche\s+)?interessarti
      | articoli\s+correlati | lees\s+ook | czytaj\s+(także|też|również) | läs\s+också
      | les\s+også | læs\s+også
      | berita\s+terkait | artikel\s+terkait | baca\s+juga
    """
_LABEL = re.compile(rf"^\W*({_LABELS})\W*$", re.IGNORECASE | re.VERBOSE)
# The same labels as whole lines of the page's lower-cased text (text nodes joined by newlines):
# one regex pass over the page before any node is looked at; most pages have no such label. The
# leading newline lets the engine jump from line to line (as teasers.has_label_line does). Every
# label starts with a word character: the run of non-word characters before it is possessive
# (giving some back never helps) and a word character must follow it before any label is tried,
# so the indentation lines that make most of a page's text are given up at once.
LABEL_LINE = rf"(?:{_LABELS})[^\w\n]*+(?=\n)"  # verbose
_LABEL_LINE = re.compile(rf"\n[^\w\n]{{0,8}}+(?=\w){LABEL_LINE}", re.VERBOSE)
MAX_LABEL_WORDS = 8
MAX_LABEL_CHARS = 80
MAX_LEADING_CHARS = 80  # text before the label in its parent: more, and the parent is no section
LINK_SHARE = 0.6
_CANDIDATE_TAGS = frozenset("h2 h3 h4 h5 h6 p div span strong b".split())


def _text(node: LexborNode) -> str:
    return " ".join(node.text(separator=" ").split())


def _block(node: LexborNode) -> LexborNode:
    """The label's block: the node itself, or its nearest non-inline ancestor."""
    current = node
    while current.tag in INLINE and current.parent is not None:
        current = current.parent
    return current


def _leading_chars(block: LexborNode) -> int:
    chars = 0
    sibling = block.prev
    while sibling is not None:
        text = sibling.text_content if sibling.is_text_node else sibling.text()
        chars += len((text or "").strip())
        sibling = sibling.prev
    return chars


def _link_heavy(node: LexborNode) -> bool:
    text = _text(node)
    linked = sum(len(_text(link)) for link in node.css("a"))
    return bool(text) and linked >= LINK_SHARE * len(text)


def _following_elements(block: LexborNode) -> list[LexborNode]:
    found = []
    sibling = block.next
    while sibling is not None:
        if not sibling.is_text_node:
            found.append(sibling)
        sibling = sibling.next
    return found


def label_lines(lowered_text: str) -> list[str]:
    """The related-content labels that are whole lines of the page's lower-cased text."""
    return [label for match in _LABEL_LINE.finditer(f"\n{lowered_text}\n") if (label := label_of(match))]


def label_of(match: re.Match[str]) -> str | None:
    """The label of a LABEL_LINE match (from its leading newline), if the line is short enough."""
    line = match.group(0)
    return " ".join(line.split()) if len(line) <= MAX_LABEL_CHARS + 1 else None


def _short_ancestry(found: list[LexborNode], seen: set[int]) -> dict[int, tuple[LexborNode, str]]:
    """The elements found (those holding a label) and their ancestors up to a block, with their
    text, as long as that text is short enough to be a label. A text only grows towards the
    root, so the walk stops at the first element that is too long: the page's big wrappers
    above a label are never serialised."""
    short: dict[int, tuple[LexborNode, str]] = {}
    for node in found:
        current: LexborNode | None = node
        while current is not None and current.tag in _CANDIDATE_TAGS and current.mem_id not in seen:
            seen.add(current.mem_id)
            text = _text(current)
            if len(text.split()) > MAX_LABEL_WORDS:
                break
            short[current.mem_id] = (current, text)
            current = current.parent
    return short


def _labelled_nodes(root: LexborNode, labels: list[str]) -> dict[int, tuple[LexborNode, str]]:
    """Elements short enough to be a label that hold one of the label lines (found by lexbor),
    with their text: the label's own element or an ancestor of it may be the element whose whole
    text is the label."""
    nodes: dict[int, tuple[LexborNode, str]] = {}
    seen: set[int] = set()
    for label in labels:
        try:
            found = root.css(f':lexbor-contains("{label}" i)') if '"' not in label else None
        except SelectolaxError:
            found = None
        if found is None:  # a label the selector cannot quote: every candidate element is looked at
            for node in root.css(", ".join(_CANDIDATE_TAGS)):
                text = _text(node)
                if len(text.split()) <= MAX_LABEL_WORDS:
                    nodes[node.mem_id] = (node, text)
            continue
        nodes.update(_short_ancestry(found, seen))
    return nodes


def drop_related_sections(tree: LexborHTMLParser, labels: list[str] | None = None) -> int:
    """Remove labelled related-content sections; return how many labels were found. `labels`: the
    page's label lines (label_lines of its text), if the caller has them."""
    root = tree.body
    if root is None:
        return 0
    if labels is None:
        labels = label_lines(root.text(separator="\n").lower())
    if not labels:
        return 0
    doomed: dict[int, LexborNode] = {}
    found = 0
    for node, label in _labelled_nodes(root, labels).values():
        if not label or not _LABEL.match(label):
            continue
        block = _block(node)
        parent = block.parent
        if parent is None or block.tag in ("body", "html") or _text(block) != label:
            continue
        found += 1
        following = _following_elements(block)
        doomed[block.mem_id] = block
        sectioned = _leading_chars(block) <= MAX_LEADING_CHARS and parent.tag not in ("body", "html")
        if sectioned and parent.css_first("h1") is None:
            doomed.update((sibling.mem_id, sibling) for sibling in following)
        elif following and _link_heavy(following[0]):
            doomed[following[0].mem_id] = following[0]
    remove_outermost(doomed)
    return found
