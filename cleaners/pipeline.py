"""The one cleaning path: a fetched or saved Page in, an Article or a Rejected out.

Crawls, one-off scrapes and offline cleaning all call `clean_page`. It reads as a list of steps;
every page that yields no article gets a Rejected with the reason (never an exception).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.decode import DecodeError, decode_document
from cleaners.extract import LineContext, filter_lines, run_trafilatura
from cleaners.inline import (
    keep_text_after_empty_elements,
    unhide_hidden_paragraphs,
    unmark_inline_in_sentences,
)
from cleaners.jsonpayload import payload_text
from cleaners.leads import find_lead, paragraphs_before, with_lead
from cleaners.metadata import Metadata, extract_metadata
from cleaners.portals import GENERIC, PortalRules, portal_for_url
from cleaners.prune import prune
from cleaners.recognise import is_web_url, portal_in_page
from cleaners.scope import INLINE, find_container
from cleaners.settings import DEFAULT_CLEAN, CleanSettings
from cleaners.timeouts import PageTimeout, time_limit
from cleaners.types import Article, CleanTrace, Page, Rejected, RejectReason

_HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")
MIN_BODY_SELECTOR_CHARS = 200


class Reject(Exception):
    """Internal control flow: a step decided the page yields no article."""

    def __init__(self, reason: RejectReason, detail: str = "") -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def clean_page(
    page: Page,
    settings: CleanSettings = DEFAULT_CLEAN,
    headlines: Collection[str] = frozenset(),
    rules: PortalRules | None = None,
) -> Article | Rejected:
    """Clean one page. `headlines` are normalised titles of other articles (see teasers.py);
    `rules` names the portal when the URL does not (a replica or mirror on another host)."""
    try:
        with time_limit(settings.time_limit):
            return _clean(page, settings, headlines, rules or portal_for_url(page.url))
    except Reject as reject:
        return Rejected(page.url, reject.reason, reject.detail, page.source)
    except DecodeError as exc:
        return Rejected(page.url, RejectReason(exc.reason), exc.detail, page.source)
    except PageTimeout:
        detail = f"cleaning took longer than {settings.time_limit:g}s"
        return Rejected(page.url, RejectReason.TIMEOUT, detail, page.source)
    except RecursionError:
        return Rejected(page.url, RejectReason.UNPARSABLE, "markup nested too deeply", page.source)
    except Exception as exc:  # one bad page must never stop a batch; the reason is recorded
        detail = f"{type(exc).__name__}: {exc}"
        return Rejected(page.url, RejectReason.ERROR, detail, page.source)


def _clean(page: Page, settings: CleanSettings, headlines: Collection[str], rules: PortalRules) -> Article:
    check_size(page, settings)
    check_content_type(page)
    decoded = decode_document(page.body, page.header("content-type"), settings.max_bytes)
    html = decoded.text
    tree = LexborHTMLParser(decoded.utf8 if decoded.utf8 is not None else html)
    site_url = page.url
    if rules is GENERIC and not is_web_url(page.url) and (known := portal_in_page(tree)):
        # A saved page cleaned without its URL: the page names its portal; links are read as
        # that portal's, and its URL is not checked (a file name is no article URL).
        rules, site_url = known, f"https://{known.hosts[0]}/"
    meta = extract_metadata(tree, rules, html, site_url)
    if is_web_url(site_url) and site_url == page.url:
        check_article_url(page.url, rules)
    removed: Counter[str] = Counter()
    link_texts = prune(tree, site_url, rules, removed)
    text, container = extract_body(tree, rules, settings, meta.rule_hits)
    if not rules.body:
        # A portal's body selectors say where its article starts; elsewhere the lead is looked for.
        text = with_lead(text, "\n".join(paragraphs_before(container)))
        text = with_lead(text, find_lead(tree, container, meta.description))
    ctx = LineContext(meta.title, link_texts, headlines, rules)
    text, dropped = filter_lines(text, ctx)
    if text_size(text) < settings.min_words:
        # Script-rendered pages: the markup holds no article, the page's JSON does.
        text = max(text, filter_lines(payload_text(html, meta.article_body), ctx)[0], key=len)
    check_length(text, tree, settings)
    return build_article(page, rules, meta, text, clean_trace(meta.rule_hits, removed, dropped))


# Line-filter reasons that are teasers of other articles (the rest: boilerplate, credits, ...).
TEASER_LINES = frozenset(("teaser_label", "teaser_link", "known_headline", "bare_headline"))


def clean_trace(hits: dict[str, str], removed: Counter[str], dropped: list[tuple[str, str]]) -> CleanTrace:
    """What the portal's rules matched on this page, for a crawl's layout-drift figures."""
    drop_rules = tuple(key[5:] for key, n in removed.items() if n and key.startswith("drop:"))
    return CleanTrace(
        body_rule=hits.get("body"),
        field_rules=tuple((key, selector) for key, selector in hits.items() if key != "body"),
        drop_rules=drop_rules,
        teasers_removed=removed.total() + sum(1 for _, reason in dropped if reason in TEASER_LINES),
    )


def check_size(page: Page, settings: CleanSettings) -> None:
    if len(page.body) > settings.max_bytes:
        detail = f"{len(page.body)} bytes, limit {settings.max_bytes}"
        raise Reject(RejectReason.TOO_LARGE, detail)


def check_content_type(page: Page) -> None:
    content_type = (page.header("content-type") or "").split(";")[0].strip().lower()
    if content_type and not content_type.startswith(_HTML_TYPES):
        raise Reject(RejectReason.NOT_HTML, f"Content-Type {content_type}")


def check_article_url(url: str, rules: PortalRules) -> None:
    if rules.is_article_url(url) is False:
        raise Reject(RejectReason.INDEX_PAGE, f"URL is not an article URL of {rules.name}")


def portal_container(
    tree: LexborHTMLParser, rules: PortalRules, hits: dict[str, str] | None = None
) -> LexborNode | None:
    """The first node matched by the portal's body selectors that holds some text; `hits["body"]`
    records the selector."""
    for selector in rules.body:
        for node in tree.css(selector):
            if len(node.text(strip=True)) >= MIN_BODY_SELECTOR_CHARS:
                if hits is not None:
                    hits["body"] = selector
                return node
    return None


def extract_body(
    tree: LexborHTMLParser, rules: PortalRules, settings: CleanSettings, hits: dict[str, str] | None = None
) -> tuple[str, LexborNode | None]:
    """The body text, and the container it was read from (None: the whole page). `hits["body"]`
    records the portal body selector that matched (a crawl's drift figures)."""
    container = portal_container(tree, rules, hits)
    if container is not None:
        # The portal's own body holds the article: if it is short, the article is short (a
        # photo or video page); the rest of the page would only add boilerplate. Its rules
        # already removed the portal's boilerplate, so recall matters more than precision here.
        return run_trafilatura(_wrapped(container)) or block_text(container), container
    container = find_container(tree, settings.container_share)
    # A <body> that wins the scope is no scope: the article holds less than the share (an
    # aggregator's story above sections of teaser cards). Read as one article, every card stays.
    if container is not None and container.tag not in ("body", "html"):
        text = run_trafilatura(_wrapped(container), settings.favor_precision)
        text = _recover_chunks(container, text, settings)
        if text_size(text) >= settings.min_words:
            return text, container
    # Nothing scoped, or the scope held too little: the whole pruned page, as trafilatura alone.
    if tree.body is not None:
        unmark_inline_in_sentences(tree.body)
        unhide_hidden_paragraphs(tree.body)
    text = run_trafilatura(keep_text_after_empty_elements(tree.html or ""), settings.favor_precision)
    if not text and container is not None:
        # lxml (under trafilatura) gives up on pathological nesting that lexbor parsed fine.
        return block_text(container), container
    return text, None


# trafilatura keeps only the first element that its body patterns match; pages that split the
# article into several sibling "article__body" chunks lose all but the first. When the result
# holds far less than the container's paragraphs, the container is extracted again with its
# class and id attributes removed, so that it is read as one body.
RECOVER_BELOW = 0.6
RECOVER_MIN_CHARS = 500
_ATTRIBUTES = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\s[^>]*>")


def _recover_chunks(container: LexborNode, text: str, settings: CleanSettings) -> str:
    paragraph_chars = sum(len(p.text(strip=True)) for p in container.css("p"))
    if paragraph_chars < RECOVER_MIN_CHARS or len(text) >= RECOVER_BELOW * paragraph_chars:
        return text
    bare = _ATTRIBUTES.sub(r"<\1>", keep_text_after_empty_elements(paragraphed_html(container)))
    retried = run_trafilatura(
        f"<html><body><article>{bare}</article></body></html>", settings.favor_precision
    )
    return retried if len(retried) > len(text) else text


# Elements trafilatura discards anyway, removed in lexbor (C) before serialising, so that its
# slower XPath pruning has less to walk.
PRE_DISCARD = "nav, aside, footer, img, picture, video, audio, source, track, map, area"


def _wrapped(container: LexborNode) -> str:
    for node in container.css(PRE_DISCARD):
        node.decompose()
    unmark_inline_in_sentences(container)
    unhide_hidden_paragraphs(container)
    # The <article> wrapper keeps text that sits directly in an inline container
    # (VIVA 2016's span[itemprop=articleBody]); trafilatura drops loose leading text.
    inner = keep_text_after_empty_elements(paragraphed_html(container))
    return f"<html><body><article>{inner}</article></body></html>"


# An inline element that holds blocks (<span><p>..</p></span>) is a block: wrapping it in a <p>
# nests paragraphs, which lxml untangles by moving text away from its headings.
_BLOCKS = "p, div, h1, h2, h3, h4, h5, h6, ul, ol, table, blockquote, section, article, figure"


def paragraphed_html(container: LexborNode) -> str:
    """The container's HTML, with loose top-level text wrapped in <p> if it has any.

    Portals put the dateline ("<strong>Jakarta</strong> -") or closing initials ("(mea/mea)")
    straight into the body container beside <p> elements; trafilatura drops such loose runs."""
    children = list(container.iter(include_text=True))
    in_runs = [
        child.is_text_node or (child.tag in INLINE and child.css_first(_BLOCKS) is None) for child in children
    ]
    if not any(in_run and _has_visible_text(child) for child, in_run in zip(children, in_runs, strict=True)):
        # Untouched containers keep their own element: trafilatura reads its tag and attributes.
        return container.html or ""
    parts: list[str] = []
    run: list[str] = []
    loose = False
    for child, in_run in zip(children, in_runs, strict=True):
        if in_run:
            run.append(child.html or "")
            loose = loose or _has_visible_text(child)
            continue
        if run:
            parts.append(f"<p>{''.join(run)}</p>" if loose else "".join(run))
            run, loose = [], False
        parts.append(child.html or "")
    if run:
        parts.append(f"<p>{''.join(run)}</p>" if loose else "".join(run))
    return "".join(parts)


def _has_visible_text(node: LexborNode) -> bool:
    return bool((node.text() if not node.is_text_node else node.html or "").strip())


def block_text(container: LexborNode) -> str:
    """Plain paragraph text of a container, one line per paragraph-like block."""
    blocks = container.css("p, li, blockquote, h2, h3, h4, pre")
    texts = [node.text(separator=" ") for node in blocks] or [container.text(separator="\n")]
    return "\n".join(line for t in texts for raw in t.split("\n") if (line := " ".join(raw.split())))


# Chinese, Japanese and Korean text has no spaces between words; two characters count as one.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def text_size(text: str) -> int:
    """Length in words, comparable across scripts (for the minimum-length test)."""
    cjk = len(_CJK.findall(text))
    return len(text.split()) + cjk // 2


def check_length(text: str, tree: LexborHTMLParser, settings: CleanSettings) -> None:
    words = text_size(text)
    if words >= settings.min_words:
        return
    if words == 0:
        raise Reject(RejectReason.NO_CONTENT, "no article text found")
    raise Reject(RejectReason.TOO_SHORT, f"{words} words, minimum {settings.min_words}")


def build_article(
    page: Page, rules: PortalRules, meta: Metadata, text: str, trace: CleanTrace | None = None
) -> Article:
    return Article(
        url=page.url,
        portal=rules.name,
        title=meta.title or "",
        text=text,
        canonical_url=meta.canonical_url,
        authors=tuple(meta.authors),
        published_at=meta.published_at,
        modified_at=meta.modified_at,
        section=meta.section,
        tags=tuple(meta.tags),
        language=meta.language,
        image=meta.image,
        description=meta.description,
        fetched_at=page.fetched_at,
        source=page.source,
        trace=trace,
    )
