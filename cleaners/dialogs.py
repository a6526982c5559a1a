"""Dialogs, modals and consent layers: prose that is never the article.

A cookie-consent or registration dialog holds long, well-formed sentences, so the container
choice (scope.py) can pick it as "the block with most of the page's prose" on a page whose article
text is short or loaded later. Such layers are removed before scoping. They are recognised by what
the markup says they are (role=dialog, aria-modal, <dialog>) or by a class/id naming a consent,
cookie, privacy, modal, popup or paywall layer; a node that holds the headline, an <article>,
<main> or articleBody is a page wrapper ("modal-open" on a layout div), never removed.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.scope import remove_outermost

_BY_ROLE = "dialog, [role=dialog], [role=alertdialog], [aria-modal=true]"
_MARK_WORDS = ("consent", "cookie", "gdpr", "privacy", "modal", "popup", "cmp")
_BY_MARK = ", ".join(f"[class*={word}], [id*={word}]" for word in _MARK_WORDS)
# Whole words only: "cmp" in "cmpbox"/"cmp-container" but not in "tcmp3"; "modal" but not "modality".
_MARK = re.compile(
    r"(?:^|[\s_-])(?:consent\w*|cookie\w*|gdpr\w*|privacy\w*|modal\w*|popup\w*|cmp\w*)(?:$|[\s_-])",
    re.IGNORECASE,
)
_ARTICLE = "h1, article, main, [itemprop=articleBody]"
_INLINE_TAGS = frozenset("a span b i em strong small label button img svg".split())


def _is_wrapper(node: LexborNode) -> bool:
    return node.tag in ("html", "body") or node.css_first(_ARTICLE) is not None


def drop_dialogs(tree: LexborHTMLParser) -> int:
    """Remove dialog, modal and consent layers; return how many were removed."""
    root = tree.body
    if root is None:
        return 0
    doomed: dict[int, LexborNode] = {}
    for node in root.css(_BY_ROLE):
        if not _is_wrapper(node):
            doomed[node.mem_id] = node
    for node in root.css(_BY_MARK):
        if node.tag in _INLINE_TAGS or node.mem_id in doomed:
            continue
        marks = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _MARK.search(marks) and not _is_wrapper(node):
            doomed[node.mem_id] = node
    return remove_outermost(doomed)
