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

from cleaners.scope import INLINE

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
      | berita\s+terkait | artikel\s+terkait | baca\s+juga
    """
_LABEL = re.compile(rf"^\W*({_LABELS})\W*$", re.IGNORECASE | re.VERBOSE)
# The same labels as whole lines of the page's lower-cased text (text nodes joined by newlines):
# one regex pass over the page before any node is looked at; most pages have no such label. The
# leading newline lets the engine jump from line to line (as teasers.has_label_line does).
_LABEL_LINE = re.compile(rf"\n[^\w\n]{{0,8}}(?:{_LABELS})[^\w\n]*\n", re.VERBOSE)
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


def _labelled_nodes(root: LexborNode, page_text: str) -> list[LexborNode]:
    """Elements that hold one of the label lines found in the page's text (found by lexbor)."""
    nodes: dict[int, LexborNode] = {}
    for match in _LABEL_LINE.finditer(f"\n{page_text}\n"):
        label = " ".join(match.group(0).split())
        try:
            found = root.css(f':lexbor-contains("{label}" i)') if '"' not in label else None
        except SelectolaxError:
            found = None
        if found is None:  # a label the selector cannot quote: every candidate element is looked at
            found = root.css(", ".join(_CANDIDATE_TAGS))
        for node in found:
            current: LexborNode | None = node
            # The label's own element and its ancestors up to a block: any of them may be the
            # element whose whole text is the label.
            while current is not None and current.tag in _CANDIDATE_TAGS:
                nodes[current.mem_id] = current
                current = current.parent
    return list(nodes.values())


def drop_related_sections(tree: LexborHTMLParser, page_text: str | None = None) -> int:
    """Remove labelled related-content sections; return how many labels were found. `page_text`:
    the body's text nodes joined by newlines, if the caller has it."""
    root = tree.body
    if root is None:
        return 0
    page_text = page_text if page_text is not None else root.text(separator="\n")
    # Labels are short lines: the regex runs over those only (most of a page's text is longer).
    short_lines = "\n".join(line for line in page_text.split("\n") if 0 < len(line) <= MAX_LABEL_CHARS)
    page_text = short_lines.lower()
    if _LABEL_LINE.search(f"\n{page_text}\n") is None:
        return 0
    doomed: dict[int, LexborNode] = {}
    labels = 0
    for node in _labelled_nodes(root, page_text):
        label = _text(node)
        if not label or len(label.split()) > MAX_LABEL_WORDS or not _LABEL.match(label):
            continue
        block = _block(node)
        parent = block.parent
        if parent is None or block.tag in ("body", "html") or _text(block) != label:
            continue
        labels += 1
        following = _following_elements(block)
        doomed[block.mem_id] = block
        sectioned = _leading_chars(block) <= MAX_LEADING_CHARS and parent.tag not in ("body", "html")
        if sectioned and parent.css_first("h1") is None:
            doomed.update((sibling.mem_id, sibling) for sibling in following)
        elif following and _link_heavy(following[0]):
            doomed[following[0].mem_id] = following[0]
    for node in doomed.values():
        if not _has_ancestor_in(node, doomed):
            node.decompose()
    return labels


def _has_ancestor_in(node: LexborNode, nodes: dict[int, LexborNode]) -> bool:
    current = node.parent
    while current is not None:
        if current.mem_id in nodes:
            return True
        current = current.parent
    return False
