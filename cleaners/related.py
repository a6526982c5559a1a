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

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.scope import INLINE

_LABEL = re.compile(
    r"""^\W*(
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
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)
MAX_LABEL_WORDS = 8
MAX_LEADING_CHARS = 80  # text before the label in its parent: more, and the parent is no section
LINK_SHARE = 0.6
_CANDIDATES = "h2, h3, h4, h5, h6, p, div, span, strong, b"


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


def drop_related_sections(tree: LexborHTMLParser) -> int:
    """Remove labelled related-content sections; return how many labels were found."""
    root = tree.body
    if root is None:
        return 0
    doomed: dict[int, LexborNode] = {}
    labels = 0
    for node in root.css(_CANDIDATES):
        text = _text(node)
        if not text or len(text.split()) > MAX_LABEL_WORDS or not _LABEL.match(text):
            continue
        block = _block(node)
        parent = block.parent
        if parent is None or block.tag in ("body", "html") or _text(block) != text:
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
