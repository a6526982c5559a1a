"""The selectolax pre-pass: remove known boilerplate nodes before extraction.

Three kinds of removal, each guarded so that article text survives:
- the portal's own `drop` selectors (data in cleaners/portals/*.toml);
- teaser blocks: a short block that opens with a teaser label, or whose text is essentially one link
  to another article of the same site;
- photo credit blocks ("Sumber :", "Photo :") that are short.
It also returns the texts of same-site article links, for the line post-filter.
"""

from __future__ import annotations

import re
from collections import Counter

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.dialogs import drop_dialogs
from cleaners.portals import PortalRules
from cleaners.related import drop_related_sections
from cleaners.scope import INLINE
from cleaners.teasers import (
    CREDIT_LABEL,
    LIST_CREDIT_LABEL,
    SiteLinks,
    has_label_line,
    is_teaser_label,
    normalise_headline,
)

NON_CONTENT = (
    "script, style, noscript, template, iframe, svg, canvas, object, embed, button, input, select, "
    "textarea, link, meta"
)
MAX_TEASER_CHARS = 300  # a labelled block longer than this is prose that happens to start so
MAX_CREDIT_CHARS = 200
LINK_SHARE = 0.8  # link text share above which a block "is" its link


def _block_of(node: LexborNode) -> LexborNode | None:
    current = node.parent
    while current is not None and current.tag in INLINE:
        current = current.parent
    return current


def _text(node: LexborNode) -> str:
    return " ".join(node.text(separator=" ").split())


def drop_selectors(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> int:
    removed = 0
    for selector in selectors:
        for node in tree.css(selector):
            node.decompose()
            removed += 1
    return removed


def drop_teaser_links(
    tree: LexborHTMLParser, url: str, rules: PortalRules, removed: Counter[str] | None = None
) -> set[str]:
    """Remove blocks that are one same-site article link; return all such links' texts.
    `removed["teaser_links"]` counts the blocks."""
    site = SiteLinks(url, re.compile(rules.article_url) if rules.article_url else None)
    link_texts: set[str] = set()
    doomed: dict[int, LexborNode] = {}
    for link in tree.css("a[href]"):
        text = _text(link)
        if len(text.split()) < 3:
            continue  # "more", "Foto", a name: too short to be a headline
        if not site.is_article_link(link.attributes.get("href") or ""):
            continue
        link_texts.add(normalise_headline(text))
        block = _block_of(link)
        if block is None or block.tag in ("body", "html"):
            continue
        block_text = _text(block)
        if len(text) >= LINK_SHARE * len(block_text) or (
            is_teaser_label(block_text) and len(block_text) <= MAX_TEASER_CHARS
        ):
            doomed[block.mem_id] = block
    for block in doomed.values():
        block.decompose()
    if removed is not None:
        removed["teaser_links"] += len(doomed)
    return link_texts


def _outer_inline(node: LexborNode, block: LexborNode) -> LexborNode | None:
    outer = None
    current = node.parent
    while current is not None and current.mem_id != block.mem_id:
        outer = current
        current = current.parent
    return outer


def _credit_list(block: LexborNode, label: str) -> bool:
    """'Sumber :' alone, with the list of names it introduces inside the same block."""
    return LIST_CREDIT_LABEL.match(label) is not None and block.css_first("li") is not None


def drop_labelled_blocks(tree: LexborHTMLParser, page_text: str | None = None) -> int:
    """Short blocks opening with a teaser label or a photo-credit label. `page_text`: the body's
    text nodes joined by newlines, taken earlier in the pre-pass (removals only take lines out)."""
    doomed: dict[int, LexborNode] = {}
    root = tree.body
    if page_text is None and root is not None:
        page_text = root.text(separator="\n")
    if root is None or not has_label_line(page_text or ""):
        return 0  # the common case: walking every text node would find nothing
    for node in root.traverse(include_text=True):
        if not node.is_text_node:
            continue
        text = (node.text_content or "").strip()
        if not text:
            continue
        teaser = is_teaser_label(text)
        credit = CREDIT_LABEL.match(text) is not None or LIST_CREDIT_LABEL.match(text) is not None
        if not (teaser or credit):
            continue
        block = _block_of(node)
        if block is None or block.tag in ("body", "html"):
            continue
        limit = MAX_TEASER_CHARS if teaser else MAX_CREDIT_CHARS
        block_text = _text(block)
        if len(block_text) > limit:
            # The label may sit in a loose inline run (<strong>Simak Video "..."</strong>) of a
            # long container: then the outermost inline element carrying it is the teaser.
            inline = _outer_inline(node, block)
            if inline is not None and len(_text(inline)) <= limit and is_teaser_label(_text(inline)):
                doomed[inline.mem_id] = inline
            continue
        if is_teaser_label(block_text) or CREDIT_LABEL.match(block_text) or _credit_list(block, text):
            doomed[block.mem_id] = block
    for block in doomed.values():
        block.decompose()
    return len(doomed)


def unlink_embedded_posts(tree: LexborHTMLParser) -> None:
    """Quoted social posts are made of links (handles, hashtags, t.co URLs), so link-density
    rules discard them although they are quoted article content: keep their text, drop links."""
    for post in tree.css("blockquote.twitter-tweet, blockquote.instagram-media"):
        post.unwrap_tags(["a"])


def prune(
    tree: LexborHTMLParser, url: str, rules: PortalRules, removed: Counter[str] | None = None
) -> set[str]:
    """Apply every pre-pass removal in place; return the same-site article link texts. `removed`
    (a crawl's drift figures) counts what went: nodes per portal `drop` selector ("drop:<selector>"),
    "teaser_links" and "labelled" blocks."""
    removed = Counter() if removed is None else removed
    drop_selectors(tree, (NON_CONTENT,))
    drop_dialogs(tree)
    page_text = tree.body.text(separator="\n") if tree.body is not None else ""
    drop_related_sections(tree, page_text)
    unlink_embedded_posts(tree)
    for selector in rules.drop:
        removed["drop:" + selector] += drop_selectors(tree, (selector,))
    link_texts = drop_teaser_links(tree, url, rules, removed)
    removed["labelled"] += drop_labelled_blocks(tree, page_text)
    return link_texts
