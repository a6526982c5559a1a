"""Find the article container: the one subtree that holds most of the page's paragraph text.

Handing only that subtree to trafilatura removes whole classes of boilerplate (sidebars, footers,
comment threads, teaser rails) before any heuristic has to judge them, and makes extraction faster.
When nothing stands out the whole body is returned, which is plain trafilatura behaviour.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Tags whose text flows into the enclosing block, rather than forming a block of its own.
INLINE = frozenset(
    "a abbr b bdi bdo br cite code data dfn em font i kbd mark q s samp small span strong sub sup "
    "time u var wbr ins del".split()
)
# Text under these is never article prose.
NON_PROSE = frozenset(
    "a button label option select textarea nav header footer aside script style noscript template".split()
)
# A container of the whole article is never one of these (broken markup can nest a page in them).
NOT_CONTAINER = frozenset("ul ol li dl nav footer aside header h1 h2 h3 h4 h5 h6 a span".split())
# Regions that hold page furniture in well-formed pages; text under them is not scored.
NON_PROSE_REGIONS = frozenset(["nav", "footer", "aside", "form"])
MIN_PARAGRAPH_CHARS = 40
SENTENCE_END = frozenset(".!?…:;\"'”’»)]")
UNFINISHED_WEIGHT = 0.3
# Text in list items and table cells is navigation or data far more often than prose.
NOT_PARAGRAPH = frozenset("li ul ol dl dt dd menu tr table thead tbody h1 h2 h3 h4 h5 h6".split())
# class/id words of regions that hold prose which is not the article (comments, rails, footers).
# Used for scoring only, never to delete, and ignored when they would discount most of the page.
NOT_ARTICLE = re.compile(
    r"comment|disqus|footer|sidebar|related|recommend|carousel|promo|newsletter|"
    r"(^|[-_ ])(nav|menu|share|social|rail|teaser)([-_ ]|$)",
    re.IGNORECASE,
)
ARTICLE_HINT = re.compile(r"article|entry|post|story|body|content|main|text", re.IGNORECASE)


def _block_ancestor(node: LexborNode) -> tuple[LexborNode | None, bool]:
    """Nearest non-inline ancestor of a text node, and whether a link or control sits on the way."""
    linked = False
    current = node.parent
    while current is not None and current.tag in INLINE:
        linked = linked or current.tag in NON_PROSE
        current = current.parent
    return current, linked


def paragraph_weights(root: LexborNode) -> dict[int, tuple[LexborNode, int]]:
    """Per block element: (node, characters of unlinked prose it holds directly)."""
    weights: dict[int, tuple[LexborNode, int]] = {}
    endings: dict[int, str] = {}
    in_region: dict[int, bool] = {}  # per element: it or an ancestor is a NON_PROSE_REGIONS element
    for text_node in root.traverse(include_text=True):
        if not text_node.is_text_node:
            continue
        text = text_node.text_content
        if not text or not text.strip():
            continue
        block, linked = _block_ancestor(text_node)
        if block is None or linked or block.tag in NON_PROSE or block.tag in NOT_PARAGRAPH:
            continue
        if block.parent is not None and _in_region(block.parent, in_region):
            continue
        key = block.mem_id
        node, chars = weights.get(key, (block, 0))
        stripped = text.strip()
        weights[key] = (node, chars + len(stripped))
        endings[key] = stripped[-1]
    # Prose is made of sentences: a block that does not end like one (a slogan, a company blurb,
    # a teaser) counts for little.
    return {
        k: (node, chars if endings[k] in SENTENCE_END else int(chars * UNFINISHED_WEIGHT))
        for k, (node, chars) in weights.items()
        if chars >= MIN_PARAGRAPH_CHARS
    }


def _in_region(node: LexborNode, memo: dict[int, bool]) -> bool:
    """Whether the node or an ancestor is a region of page furniture; `memo` keeps the answer for
    every element on the way, which the page's other text nodes share."""
    chain: list[LexborNode] = []
    current: LexborNode | None = node
    found = False
    while current is not None:
        known = memo.get(current.mem_id)
        if known is not None:
            found = known
            break
        chain.append(current)
        current = current.parent
    for element in reversed(chain):
        found = found or element.tag in NON_PROSE_REGIONS
        memo[element.mem_id] = found
    return found


def subtree_totals(paragraphs: dict[int, tuple[LexborNode, int]]) -> dict[int, tuple[LexborNode, int]]:
    """Prose characters under each element, summed up the ancestor chain."""
    totals: dict[int, tuple[LexborNode, int]] = {}
    for node, chars in paragraphs.values():
        current: LexborNode | None = node
        while current is not None and current.is_element_node:
            key = current.mem_id
            held, total = totals.get(key, (current, 0))
            totals[key] = (held, total + chars)
            current = current.parent
    return totals


def _layout_wrappers(root: LexborNode) -> set[int]:
    """Elements that contain the headline or an explicit article node: whatever their class says
    (a wrapper named "page sidebar-left" is common), they are not a region outside the article."""
    protected: set[int] = set()
    for anchor in root.css("h1, article, [itemprop=articleBody], main"):
        current: LexborNode | None = anchor
        while current is not None and current.mem_id not in protected:
            protected.add(current.mem_id)
            current = current.parent
    return protected


def _marked(node: LexborNode) -> bool:
    attrs = node.attributes
    marks = " ".join(filter(None, (attrs.get("class"), attrs.get("id"))))
    return bool(marks) and NOT_ARTICLE.search(marks) is not None and not ARTICLE_HINT.search(marks)


def _outside_article(node: LexborNode, root: LexborNode, protected: set[int], memo: dict[int, bool]) -> bool:
    """Whether a class/id on the way up to root marks a non-article region. `memo` keeps the
    answer for every element on the way: paragraphs share most of their ancestors."""
    chain: list[LexborNode] = []
    current: LexborNode | None = node
    outside = False
    while current is not None and current.mem_id != root.mem_id:
        known = memo.get(current.mem_id)
        if known is not None:
            outside = known
            break
        chain.append(current)
        current = current.parent
    for element in reversed(chain):
        outside = outside or (element.mem_id not in protected and _marked(element))
        memo[element.mem_id] = outside
    return outside


def article_paragraphs(root: LexborNode) -> dict[int, tuple[LexborNode, int]]:
    """Paragraph weights, leaving out those inside marked non-article regions."""
    paragraphs = paragraph_weights(root)
    protected = _layout_wrappers(root)
    memo: dict[int, bool] = {}
    kept = {k: v for k, v in paragraphs.items() if not _outside_article(v[0], root, protected, memo)}
    return kept or paragraphs


def find_container(tree: LexborHTMLParser, share: float = 0.6) -> LexborNode | None:
    """The deepest element holding at least `share` of the page's prose, or None if no prose."""
    root = tree.body or tree.root
    if root is None:
        return None
    totals = subtree_totals(article_paragraphs(root))
    if not totals:
        return None
    page_total = max(total for _, total in totals.values())
    needed = share * page_total
    best: LexborNode | None = None
    best_depth = -1
    for node, total in totals.values():
        if total < needed or node.tag in NOT_CONTAINER or _marked(node):
            continue
        depth = _depth(node)
        if depth > best_depth:
            best, best_depth = node, depth
    return best


def _depth(node: LexborNode) -> int:
    depth = 0
    current = node.parent
    while current is not None:
        depth += 1
        current = current.parent
    return depth


def remove_outermost(doomed: dict[int, LexborNode]) -> int:
    """Decompose the nodes of `doomed` (by mem_id) that no other of them contains; a nested one
    goes with its ancestor (decomposing it first would leave a dangling handle). Returns how many."""
    outermost = [node for node in doomed.values() if not _has_ancestor_in(node, doomed)]
    for node in outermost:
        node.decompose()
    return len(outermost)


def _has_ancestor_in(node: LexborNode, nodes: dict[int, LexborNode]) -> bool:
    current = node.parent
    while current is not None:
        if current.mem_id in nodes:
            return True
        current = current.parent
    return False
