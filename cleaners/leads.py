"""The lead (standfirst, summary, dek): visible article text that pages set above the body.

Scoping hands trafilatura the one container with most of the prose; the lead usually sits outside
it, in the article header between the headline and the body (h2.c-article-summary, p.intro,
div.teaser_text ...), or trafilatura drops it inside the container as a "teaser". Two kinds of
evidence name a lead, both guarded by its position (after the headline, before or at the top of
the body) and by being prose rather than a link:
- its text is the page's own description (meta description or og:description), whole or as the
  start of it when the description was cut short;
- its class or id says lead, standfirst, summary, intro, excerpt, deck, preface, preamble ...
A lead already in the extracted text is not added twice.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

# class/id words of leads across languages' CMSs (chapô/sapo: French and Spanish sites).
_LEAD_WORDS = (
    "lead", "standfirst", "summary", "intro", "excerpt", "deck", "dek", "preface", "preamble",
    "subtitle", "sub-title", "subheadline", "strapline", "teaser-text", "teaser__text", "teaser_text",
    "chapo", "sapo", "article-description",
)  # fmt: skip
_LEAD_SELECTOR = ", ".join(f"[class*={word}], [id*={word}]" for word in _LEAD_WORDS)
# "leader", "leading-loose" (a CSS utility), "mislead": not a lead.
_LEAD_MARK = re.compile(
    r"(?:^|[\s_-])(?:lead|standfirst|summary|intro|excerpt|deck|dek|preface|preamble|subtitle|"
    r"sub-title|subheadline|strapline|chapo|sapo|description)(?:$|[\s_-])|teaser[-_]{1,2}text",
    re.IGNORECASE,
)
MIN_LEAD_CHARS = 100
MAX_LEAD_CHARS = 1500
MIN_DESCRIPTION_CHARS = 60
MAX_LINK_SHARE = 0.5
_NOT_LEAD_REGIONS = frozenset("nav footer aside form a button li figcaption figure".split())
# Regions whose prose advertises something else: a "strapline" of a newsletter box is no lead.
_NOT_LEAD_MARKS = re.compile(
    r"newsletter|subscri|sign-?up|promo|related|recommend|comment|sidebar|footer|cookie|consent|"
    r"modal|dialog|paywall|popup",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
_ELLIPSIS = re.compile(r"(?:\.\.\.|…|\[…\]|\s)+$")


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def _text(node: LexborNode) -> str:
    return " ".join(node.text(separator=" ").split())


def _chain(node: LexborNode) -> list[LexborNode]:
    chain = []
    current: LexborNode | None = node
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain[::-1]


def precedes(a: LexborNode, b: LexborNode) -> bool:
    """Whether a starts before b in document order (False when one holds the other)."""
    chain_a, chain_b = _chain(a), _chain(b)
    depth = 0
    while depth < min(len(chain_a), len(chain_b)) and chain_a[depth].mem_id == chain_b[depth].mem_id:
        depth += 1
    if depth == len(chain_a) or depth == len(chain_b):
        return False
    first, second = chain_a[depth].mem_id, chain_b[depth].mem_id
    child = chain_a[depth - 1].child
    while child is not None:
        if child.mem_id == first:
            return True
        if child.mem_id == second:
            return False
        child = child.next
    return False


def _common_ancestor(a: LexborNode, b: LexborNode) -> LexborNode:
    chain_b = {node.mem_id for node in _chain(b)}
    for node in reversed(_chain(a)):
        if node.mem_id in chain_b:
            return node
    return a


def _inside(node: LexborNode, other: LexborNode) -> bool:
    current: LexborNode | None = node
    while current is not None:
        if current.mem_id == other.mem_id:
            return True
        current = current.parent
    return False


def _in_region(node: LexborNode) -> bool:
    current: LexborNode | None = node
    # <body> and <html> classes are page-wide flags ("paywall", "no-js"), not a region.
    while current is not None and current.tag not in ("body", "html"):
        if current.tag in _NOT_LEAD_REGIONS and current is not node:
            return True
        attrs = current.attributes
        if "hidden" in attrs or attrs.get("aria-hidden") == "true":
            return True
        marks = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        if len(marks) > 1 and _NOT_LEAD_MARKS.search(marks) and current.css_first("h1") is None:
            # A marked element that holds the headline is a page wrapper (Drupal's
            # "dialog-off-canvas-main-canvas", an <article class="node--promoted">), no region.
            return True
        current = current.parent
    return False


def _is_prose(node: LexborNode, text: str) -> bool:
    if not MIN_LEAD_CHARS <= len(text) <= MAX_LEAD_CHARS or node.tag in _NOT_LEAD_REGIONS:
        return False
    media = node.css("figure") or node.css("figcaption")
    if media and len(text) - sum(len(_text(m)) for m in media) < MIN_LEAD_CHARS:
        return False  # "lead" media: a picture or video and its caption ("ArticlePage-lead")
    linked = sum(len(_text(link)) for link in node.css("a"))
    return linked <= MAX_LINK_SHARE * len(text) and not _in_region(node)


def _well_placed(node: LexborNode, headline: LexborNode | None, container: LexborNode | None) -> bool:
    """After the headline; before the body container or inside it."""
    if headline is not None and not precedes(headline, node):
        return False
    if container is None:
        return True
    if not _inside(node, container):
        return precedes(node, container)
    # Inside the body: only above its first paragraph of prose (else it is no lead).
    first = next((p for p in container.css("p") if len(p.text(strip=True)) >= MIN_LEAD_CHARS), None)
    return first is None or _inside(first, node) or not precedes(first, node)


def _matches_description(text: str, description: str) -> bool:
    if text == description:
        return True
    # Descriptions are often cut short ("... Z", "...", "…"): the lead then starts with them.
    cut = _ELLIPSIS.sub("", description)
    return len(cut) >= MIN_DESCRIPTION_CHARS and _words(text).startswith(_words(cut))


def _by_description(root: LexborNode, description: str) -> list[LexborNode]:
    probe = _ELLIPSIS.sub("", description)[:40]
    if len(probe) < 20 or '"' in probe or "\\" in probe:
        return []
    try:
        found = root.css(f':lexbor-contains("{probe}")')
    except SelectolaxError:
        return []  # a description the selector cannot quote
    return [node for node in found if node.tag not in ("body", "html")]


def _by_class(root: LexborNode) -> list[LexborNode]:
    return [node for node in root.css(_LEAD_SELECTOR) if _marked_lead(node)]


def find_lead(tree: LexborHTMLParser, container: LexborNode | None, description: str | None) -> str | None:
    """The page's lead text, if it has one that is visible prose in its place."""
    root = tree.body
    if root is None:
        return None
    headline = root.css_first("h1")
    if description and len(description) >= MIN_LEAD_CHARS:
        for node in _by_description(root, description):
            text = _text(node)
            placed = _matches_description(text, description) and _well_placed(node, headline, container)
            if placed and _is_prose(node, text):
                return text
    if headline is None:
        return None  # without a headline, "above the body" has no bounds: class words alone decide nothing
    # The lead sits between the headline and the body: look only inside the element that holds both.
    for node in _by_class(_common_ancestor(headline, container) if container is not None else root):
        if container is not None and node.mem_id == container.mem_id:
            continue
        text = _text(node)
        if _is_prose(node, text) and _well_placed(node, headline, container):
            return text
    return None


def with_lead(text: str, lead: str | None) -> str:
    """The lead as the first line, unless the text already holds it."""
    if not lead or _words(lead)[:200] in _words(text):
        return text
    return f"{lead}\n{text}" if text else lead


# The body split around its container: paywalled pages show the first paragraphs and hide the
# rest in a wrapper (`div.paywall`), which then holds most of the prose and wins the scope; the
# visible paragraphs stand before it, siblings of the same kind as the paragraphs inside it.
MIN_SPLIT_PARAGRAPH_CHARS = 40


def _signature(node: LexborNode) -> tuple[str, str]:
    return node.tag or "", " ".join((node.attributes.get("class") or "").split())


def _same_kind(sibling: LexborNode, text: str, kinds: set[tuple[str, str]]) -> list[str]:
    """The sibling's paragraphs when it is one of the kinds, or a block made of them (the free
    part of a body split in two blocks); else nothing."""
    if _signature(sibling) in kinds:
        return [text] if len(text) >= MIN_SPLIT_PARAGRAPH_CHARS else []
    lines = [_text(p) for p in sibling.css("p") if _signature(p) in kinds]
    if sum(len(line) for line in lines) < SAME_KIND_SHARE * len(text):
        return []
    return [line for line in lines if line]


SAME_KIND_SHARE = 0.8


def paragraphs_before(container: LexborNode | None) -> list[str]:
    """The prose paragraphs directly before the container, in order, that are siblings of the
    same tag and class as the container's own paragraphs, or sit in a sibling block made of
    them (a class is required: a bare <p> before a bare <p> proves nothing)."""
    if container is None or container.tag in ("body", "html"):
        return []
    kinds = {_signature(p) for p in container.css("p")}
    kinds = {kind for kind in kinds if kind[1]}
    found: list[str] = []
    sibling = container.prev
    while sibling is not None:
        if sibling.is_element_node:
            text = _text(sibling)
            lines = _same_kind(sibling, text, kinds) if text else []
            if lines:
                linked = sum(len(_text(link)) for link in sibling.css("a"))
                if _in_region(sibling) or linked > MAX_LINK_SHARE * len(text):
                    break
                found.extend(reversed(lines))
            elif text and _marked_lead(sibling) and _is_prose(sibling, text):
                # A lead block right before the body (a live blog's lead entry): it tops the run.
                lines = [_text(p) for p in sibling.css("p")] or [text]
                found.extend(line for line in reversed(lines) if line)
                break
            elif text:
                break  # anything else with text ends the run: a byline, a heading, a figure
        sibling = sibling.prev
    return found[::-1]


def _marked_lead(node: LexborNode) -> bool:
    marks = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
    return _LEAD_MARK.search(marks) is not None
