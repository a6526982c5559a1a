"""Pages of sites the cleaner has no rules for: never lose a word of the article.

One small page of our own markup per failure class of the issue "Never lose a word of the article";
each asserts that every sentence of the article comes out whole, and that the boilerplate of the
class stays out."""

from __future__ import annotations

import json

import pytest

from cleaners.pipeline import clean_page
from cleaners.types import Article, Page

URL = "https://www.example-news.test/world/2026/03/harbour-bridge-reopens"
TITLE = "Harbour bridge reopens after two years of repairs"
PROSE = [
    "The harbour bridge reopened to traffic on Monday morning after two years of repairs that cost "
    "the city far more than its engineers had first estimated.",
    "Commuters who had spent months on detours lined up before dawn, and the first buses crossed "
    "shortly after six o'clock to applause from a small crowd on the pier.",
    "The council said the final bill would be published next month, once the contractors had "
    "settled the claims that followed the flood damage of the second winter.",
    "Local shop owners on both banks said trade had suffered badly during the closure and asked "
    "for help with the rents they had fallen behind on in the meantime.",
    "Engineers will inspect the deck again in the spring, when the expansion joints that were "
    "replaced last of all have gone through their first full season of frost.",
]


def html_page(body: str, head: str = "", title: str = TITLE) -> str:
    return (
        f"<html><head><title>{title} | Example News</title>{head}</head><body>"
        "<header><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></header>"
        f"<main>{body}</main>"
        "<footer><p>About us. Contact. Terms of use. All rights reserved by Example News Ltd.</p></footer>"
        "</body></html>"
    )


def paragraphs(lines: list[str] = PROSE) -> str:
    return "".join(f"<p>{line}</p>" for line in lines)


def clean(html: str, url: str = URL) -> Article:
    result = clean_page(Page(url=url, body=html.encode(), headers={"content-type": "text/html"}))
    assert isinstance(result, Article), result
    return result


def assert_all_prose(text: str, lines: list[str] = PROSE) -> None:
    for line in lines:
        assert line in text, f"lost: {line[:60]}"


# 1. Inline links cut out of sentences.
def test_link_inside_sentence_keeps_its_words() -> None:
    linked = (
        "Support for the repairs was especially high for "
        "<span class='link'><a href='/t/joe-biden'>Joe Biden</a></span>, who visited the site twice."
    )
    body = f"<article><h1>{TITLE}</h1>{paragraphs(PROSE[:2])}<p>{linked}</p>{paragraphs(PROSE[2:])}</article>"
    text = clean(html_page(body)).text
    assert "Support for the repairs was especially high for Joe Biden, who visited the site twice." in text
    assert_all_prose(text)


# 2. Paragraphs that hold a link to another article of the same site are article text.
def test_paragraphs_with_links_to_other_articles_stay() -> None:
    linked = [
        f"{line[:40]}<a href='/world/2025/0{i + 1}/bridge-closure-story-{i}'>{line[40:90]}</a>{line[90:]}"
        for i, line in enumerate(PROSE)
    ]
    body = f"<article><h1>{TITLE}</h1>{''.join(f'<p>{p}</p>' for p in linked)}</article>"
    assert_all_prose(clean(html_page(body)).text)


# 3. Bodies without <p>: <br> separated text, empty spans as breaks, text straight in a div.
def test_body_of_br_separated_text() -> None:
    body = f"<h1>{TITLE}</h1><div class='article-text'>{'<br><br>'.join(PROSE)}</div>"
    assert_all_prose(clean(html_page(body)).text)


def test_body_split_by_empty_break_spans() -> None:
    breaks = "<span class='id-r-component br' data-pos='1'></span>"
    body = f"<h1>{TITLE}</h1><div class='story'><div class='body'>{breaks.join(PROSE)}</div></div>"
    assert_all_prose(clean(html_page(body)).text)


def test_text_directly_in_blocks() -> None:
    info = "<div class='infobox'><table><tr><td>Length</td><td>1.2 km</td></tr></table></div>"
    blocks = "".join(f"<div class='block'>{line}</div>" for line in PROSE)
    body = f"<h1>{TITLE}</h1>{info}<div class='content'>{blocks}</div>"
    assert_all_prose(clean(html_page(body)).text)


# 4. An empty inline element inside a list item does not end it.
def test_empty_inline_element_keeps_rest_of_list_item() -> None:
    items = "".join(f"<li><b></b>{line[:30]}<b></b>{line[30:]}</li>" for line in PROSE[2:])
    body = f"<article><h1>{TITLE}</h1>{paragraphs(PROSE[:2])}<ul>{items}</ul></article>"
    assert_all_prose(clean(html_page(body)).text)


# 5. The lead above the body container starts the text.
LEAD = (
    "After two years of closures and detours, the city's busiest crossing is open again, and the "
    "council says the worst of the disruption is over."
)


def test_lead_above_body_container_starts_text() -> None:
    body = (
        f"<h1>{TITLE}</h1><div class='article-lead'><p>{LEAD}</p></div>"
        "<a class='button' href='#body'>Read more</a>"
        f"<div class='article-body'>{paragraphs()}</div>"
    )
    text = clean(html_page(body)).text
    assert text.splitlines()[0] == LEAD
    assert_all_prose(text)


def test_standfirst_heading_starts_text() -> None:
    body = (
        f"<article><h1>{TITLE}</h1><h2 class='c-article-summary'>{LEAD}</h2>"
        f"<div class='c-article-content'>{paragraphs()}</div></article>"
    )
    text = clean(html_page(body)).text
    assert text.splitlines()[0] == LEAD
    assert_all_prose(text)


def test_lead_equal_to_meta_description_starts_text() -> None:
    head = f'<meta name="description" content="{LEAD}">'
    body = (
        f"<article><h1>{TITLE}</h1><div class='intro'><strong>{LEAD}</strong></div>"
        f"<section class='text'>{paragraphs()}</section></article>"
    )
    text = clean(html_page(body, head)).text
    assert text.splitlines()[0] == LEAD
    assert_all_prose(text)


def test_page_wide_flags_on_html_and_body_hide_no_lead() -> None:
    # Sites flag the reader's state on <html>/<body> ("paywall", "subType-unsubscribed"); such a
    # word on a region would mark a subscription box, on the page it marks nothing. The meta
    # description here is escaped twice (`&amp;amp;`), as some CMSs write it.
    lead = LEAD.replace("the council", "the Roads &amp; Bridges council")
    head = f'<meta name="description" content="{lead.replace("&amp;", "&amp;amp;")}">'
    page = (
        f"<html class='paywall no-js'><head><title>{TITLE}</title>{head}</head>"
        f"<body class='pageFrame subType-unsubscribed'><article><h1>{TITLE}</h1>"
        f"<div data-testid='article-intro'><p>{lead}</p></div>"
        f"<div class='article-body'>{paragraphs()}</div></article></body></html>"
    )
    article = clean(page)
    assert article.text.splitlines()[0] == LEAD.replace("the council", "the Roads & Bridges council")
    assert article.description == article.text.splitlines()[0]
    assert_all_prose(article.text)


def test_a_marked_wrapper_that_holds_the_headline_hides_no_lead() -> None:
    # Drupal wraps every page in "dialog-off-canvas-main-canvas" and marks front-page articles
    # "promo"/"node--promoted": words of regions, on elements that hold the headline itself.
    head = f'<meta name="description" content="{LEAD}">'
    page = (
        f"<html><head><title>{TITLE}</title>{head}</head><body>"
        "<div class='dialog-off-canvas-main-canvas'><main><article class='promo node--promoted'>"
        f"<h1>{TITLE}</h1><div class='wrapper-summary'><p>{LEAD}</p></div>"
        f"<div class='field--name-body'>{paragraphs()}</div></article></main></div></body></html>"
    )
    text = clean(page).text
    assert text.splitlines()[0] == LEAD
    assert_all_prose(text)


def test_lead_media_is_no_lead() -> None:
    # "ArticlePage-lead": the lead picture and its caption, named like a lead.
    caption = "The new deck of the harbour bridge seen from the pier on Monday morning, before the first buses crossed it. (Ana Reyes / Example News)"
    body = (
        f"<article><h1>{TITLE}</h1><div class='ArticlePage-lead'><figure><img src='/deck.jpg'>"
        f"<figcaption>{caption}</figcaption></figure></div>"
        f"<div class='article-body'>{paragraphs()}</div></article>"
    )
    text = clean(html_page(body)).text
    assert "Ana Reyes" not in text
    assert text.splitlines() == PROSE


# 6. A consent or registration dialog is never the article.
CONSENT = (
    "We and our partners use cookies and similar technologies to store and access information on "
    "your device, to personalise content and advertising, to measure their performance and to "
    "understand our audience. You can accept all purposes, reject them, or choose in the settings "
    "which purposes and partners you agree to; you can change your choice at any time. "
)


def test_consent_dialog_never_wins() -> None:
    dialog = (
        "<div id='cmp-consent' class='consent-layer' role='dialog' aria-modal='true'>"
        + "".join(f"<p>{CONSENT}</p>" for _ in range(4))
        + "</div>"
    )
    body = f"{dialog}<h1>{TITLE}</h1><div>{paragraphs()}</div>"
    text = clean(html_page(body)).text
    assert "cookies" not in text
    assert_all_prose(text)


# 7. Comments, forms and prompts are not the article.
def test_comments_and_forms_and_prompts_stay_out() -> None:
    comments = (
        "<section id='comments' class='comments'><h3>12 comments</h3>"
        + "".join(
            f"<div class='comment'><p>Reader {i} wrote: I drive over this bridge every day and the "
            "repairs took far too long, which everybody here could see coming.</p></div>"
            for i in range(4)
        )
        + "</section>"
    )
    form = (
        "<form class='login'><p>Log in to your account. Forgot your password? Enter the e-mail "
        "address you registered with and we will send you a link to reset it.</p></form>"
    )
    prompt = (
        "<div class='newsletter'><p>Sign up for our free newsletter to get the news in your inbox.</p></div>"
    )
    body = f"<article><h1>{TITLE}</h1>{paragraphs()}{prompt}</article>{form}{comments}"
    text = clean(html_page(body)).text
    for leaked in ("Reader", "password", "newsletter"):
        assert leaked not in text
    assert_all_prose(text)


# 8. An article only in a JSON payload.
def test_article_only_in_next_data() -> None:
    payload = {
        "props": {
            "pageProps": {
                "article": {
                    "headline": TITLE,
                    "body": [{"type": "paragraph", "text": line} for line in PROSE],
                }
            }
        }
    }
    body = (
        "<div id='__next'><h1>Loading</h1></div>"
        f"<script id='__NEXT_DATA__' type='application/json'>{json.dumps(payload)}</script>"
    )
    assert_all_prose(clean(html_page(body)).text)


def test_article_only_in_json_ld_article_body() -> None:
    ld = {"@type": "NewsArticle", "headline": TITLE, "articleBody": "\n\n".join(PROSE)}
    head = f"<script type='application/ld+json'>{json.dumps(ld)}</script>"
    body = "<div id='app'></div>"
    assert_all_prose(clean(html_page(body, head)).text)


def test_wrapper_named_like_a_dialog_is_kept() -> None:
    # Layout wrappers carry state classes ("modal-open", "cookie-consent-accepted"): they hold the
    # headline and the article, so they are page, not dialog.
    body = f"<div class='page modal-open cookie-consent-accepted'><h1>{TITLE}</h1><div>{paragraphs()}</div></div>"
    assert_all_prose(clean(html_page(body)).text)


def test_json_payload_is_not_read_when_markup_holds_the_article() -> None:
    ld = {"@type": "NewsArticle", "headline": TITLE, "articleBody": "A different summary. " * 40}
    head = f"<script type='application/ld+json'>{json.dumps(ld)}</script>"
    text = clean(html_page(f"<article><h1>{TITLE}</h1>{paragraphs()}</article>", head)).text
    assert "different summary" not in text
    assert_all_prose(text)


def test_json_payload_scope_leaves_out_teasers_of_other_articles() -> None:
    teaser = "Another story entirely, about a ferry that ran aground off the northern cape last week."
    payload = {
        "props": {
            "pageProps": {
                "article": {"blocks": [{"text": line} for line in PROSE]},
                "related": [{"summary": teaser}],
            }
        }
    }
    body = f"<script id='__NEXT_DATA__' type='application/json'>{json.dumps(payload)}</script>"
    text = clean(html_page(body)).text
    assert "ferry" not in text
    assert_all_prose(text)


# 9. Saved pages without a URL: the portal is recognised from the page; credits go anywhere.
def test_saved_portal_page_without_url_is_cleaned_by_its_rules() -> None:
    links = "".join(
        f"<li><a href='https://www.antaranews.com/berita/{100 + i}/kabar-{i}'>Kabar nomor {i}</a></li>"
        for i in range(12)
    )
    body = (
        f"<nav><ul>{links}</ul></nav><h1>{TITLE}</h1>"
        f"<div class='post-content'>{paragraphs()}<p>Editor: Ade Marboen</p></div>"
        "<p>COPYRIGHT © ANTARA 2015</p>"
    )
    head = "<meta property='og:site_name' content='ANTARA News'>"
    result = clean_page(Page(url="file:///saved/page.html", body=html_page(body, head).encode()))
    assert isinstance(result, Article), result
    assert result.portal == "antaranews"
    assert "Marboen" not in result.text and "COPYRIGHT" not in result.text
    assert_all_prose(result.text)


def test_credit_and_copyright_lines_go_on_unknown_sites() -> None:
    body = (
        f"<article><h1>{TITLE}</h1>{paragraphs()}<p>Editor: Jane Smith</p>"
        "<p>Copyright © 2026 Example News Ltd. All rights reserved.</p></article>"
    )
    text = clean(html_page(body)).text
    assert "Jane Smith" not in text and "Copyright" not in text
    assert_all_prose(text)


# 10. Titles: entities decoded, site suffixes and kickers resolved by agreement.
def test_title_entities_are_decoded() -> None:
    ld = {"@type": "NewsArticle", "headline": "Br&uuml;cke &quot;endlich&quot; offen &#039;heute&#039;"}
    head = f"<script type='application/ld+json'>{json.dumps(ld)}</script>"
    result = clean(html_page(f"<article>{paragraphs()}</article>", head))
    assert result.title == "Brücke \"endlich\" offen 'heute'"


def test_title_site_suffix_goes_when_statements_agree() -> None:
    head = f"<meta property='og:title' content='{TITLE} | Example News'>"
    result = clean(html_page(f"<article><h1>{TITLE}</h1>{paragraphs()}</article>", head))
    assert result.title == TITLE


def test_title_keeps_a_kicker_that_two_statements_share() -> None:
    # JSON-LD and og:title carry the same kicker, joined differently: it is part of the headline,
    # written as the page's <title> writes it. Different kickers agree on the headline alone.
    kicker = "Harbour works"
    ld = {"@type": "NewsArticle", "headline": f"{kicker} &#8211; {TITLE}"}
    head = f"<script type='application/ld+json'>{json.dumps(ld)}</script>"
    same = head + f"<meta property='og:title' content='{kicker}: {TITLE}'>"
    page = html_page(f"<article><h1>{TITLE}</h1>{paragraphs()}</article>", same, title=f"{kicker}: {TITLE}")
    assert clean(page).title == f"{kicker}: {TITLE}"
    other = head + f"<meta property='og:title' content='City news: {TITLE}'>"
    assert clean(html_page(f"<article>{paragraphs()}</article>", other)).title == TITLE


# 11-14. Dates, canonical, authors, language.
def test_printed_day_keeps_the_machine_time() -> None:
    from cleaners.metadata import _pick_published

    machine, printed = "2023-09-14T10:15:00+07:00", "2023-09-14T00:00:00+07:00"
    assert _pick_published(machine, printed) == machine
    # A printed time that disagrees by minutes still wins (CMS export stamps).
    assert _pick_published(machine, "2023-09-14T09:40:00+07:00") == "2023-09-14T09:40:00+07:00"


def test_date_without_offset_takes_the_zone_the_page_declares() -> None:
    head = (
        "<meta property='article:published_time' content='2019-06-20T07:30:00'>"
        "<meta property='article:modified_time' content='2019-06-20T09:00:00+02:00'>"
    )
    result = clean(html_page(f"<article><h1>{TITLE}</h1>{paragraphs()}</article>", head))
    assert result.published_at == "2019-06-20T07:30:00+02:00"


def test_date_without_any_zone_stays_local() -> None:
    head = "<meta property='article:published_time' content='2019-06-20T07:30:00'>"
    result = clean(html_page(f"<article><h1>{TITLE}</h1>{paragraphs()}</article>", head))
    assert result.published_at == "2019-06-20T07:30:00"  # no zone is guessed (README)


def test_json_ld_in_cdata_is_read() -> None:
    ld = {"@type": "NewsArticle", "datePublished": "2024-08-22T12:00:00+02:00"}
    head = f"<script type='application/ld+json'>//<![CDATA[\n{json.dumps(ld)}\n//]]></script>"
    result = clean(html_page(f"<article><h1>{TITLE}</h1>{paragraphs()}</article>", head))
    assert result.published_at == "2024-08-22T12:00:00+02:00"


def test_relative_canonical_outlet_author_and_locale() -> None:
    head = (
        "<link rel='canonical' href='/world/2026/03/harbour-bridge-reopens'>"
        "<meta property='og:site_name' content='Example News'><meta property='og:locale' content='en_GB'>"
        "<meta name='author' content='Example News'>"
    )
    result = clean(html_page(f"<article><h1>{TITLE}</h1>{paragraphs()}</article>", head))
    assert result.canonical_url == URL
    assert result.authors == ()
    assert result.language == "en-GB"


# 7. A labelled related-content section is not the article, even when it holds more prose.
def test_labelled_related_section_goes_even_with_more_prose() -> None:
    other = (
        "Another post entirely: the river festival returns in June with boats, music and food "
        "stalls along both banks, and the organisers expect record crowds this year. "
    )
    related = (
        "<section><h3>You may also like</h3>"
        + "".join(f"<article><h2>Festival news {i}</h2><p>{other * 2}</p></article>" for i in range(6))
        + "</section>"
    )
    body = f"<article><h1>{TITLE}</h1>{paragraphs()}</article>{related}"
    text = clean(html_page(body)).text
    assert "river festival" not in text and "You may also like" not in text
    assert_all_prose(text)


@pytest.mark.parametrize(
    "label", ["DON'T MISS", "Noticia relacionada", "Leggi anche", "Lees ook", "Czytaj także", "Les også"]
)
def test_label_inside_body_takes_only_a_list_of_links(label: str) -> None:
    links = "".join(
        f"<a href='/world/2025/0{i + 1}/story-{i}'>Other headline number {i}</a><br>" for i in range(3)
    )
    body = (
        f"<article><h1>{TITLE}</h1>{paragraphs(PROSE[:2])}<p><strong>{label}</strong></p>"
        f"<p>{links}</p>{paragraphs(PROSE[2:])}</article>"
    )
    text = clean(html_page(body)).text
    assert "Other headline" not in text and label not in text
    assert_all_prose(text)


def test_paragraphs_citing_other_articles_survive_precision_mode() -> None:
    # Each paragraph in its own component wrapper, a third of it linked to another article of
    # the site: trafilatura's precision mode drops such paragraphs by link density.
    blocks = "".join(
        "<div data-component='text-block'><div class='c1'><div class='c2'><p class='c3'>"
        f"{line[:50]}<a href='https://www.example-news.test/news/articles/c{i}x'>{line[50:110]}</a>"
        f"{line[110:]}</p></div></div></div>"
        for i, line in enumerate(PROSE)
    )
    body = f"<article><h1>{TITLE}</h1>{blocks}</article>"
    assert_all_prose(clean(html_page(body)).text)


def test_a_sentence_mostly_made_of_one_link_survives_precision_mode() -> None:
    # "It also <a>co-ordinates military plans ...</a>." The link is most of the paragraph, but
    # the sentence starts before it and ends after it: no teaser line looks like that.
    blocks = "".join(
        "<div data-component='text-block'><div class='c1'><p class='c3'>"
        f"{line[:12]}<a href='https://www.example.org/topics/{i}'>{line[12:-1]}</a>{line[-1]}</p></div></div>"
        for i, line in enumerate(PROSE)
    )
    teaser = "<p>Read also: <a href='/world/2026/03/other-story'>Ferry fares rise again this spring</a></p>"
    body = f"<article><h1>{TITLE}</h1>{blocks}{teaser}</article>"
    text = clean(html_page(body)).text
    assert_all_prose(text)
    assert "Ferry fares" not in text


def test_blocks_inside_an_inline_wrapper_keep_their_order() -> None:
    # <span> holding paragraphs and headings: wrapped into a <p> it nests paragraphs, and lxml
    # untangles them by moving the headings after all the text.
    inner = f"<p>{PROSE[0]}</p><h3>Works on the deck</h3><p>{PROSE[1]}</p><h3>The bill</h3>{paragraphs(PROSE[2:])}"
    body = f"<h1>{TITLE}</h1><div class='post'>Posted today <span class='wrap'>{inner}</span></div>"
    lines = clean(html_page(body)).text.splitlines()
    assert lines.index("Works on the deck") < lines.index(PROSE[1]) < lines.index("The bill")


# Scope: an aggregator's story followed by sections of teaser cards, each card with its own summary
# paragraph. The article holds less than the scoping share of the prose and no section holds it
# either, so no element narrower than <body> wins. Handing trafilatura the whole body as if it were
# the article keeps every card; the body is no scope: it is read as trafilatura alone reads a page.
TEASER_SUMMARIES = [
    f"Teaser number {n} summarises another story of the day in a sentence long enough to read as "
    f"prose, about the weather, the markets or a football match played somewhere far away ({n})."
    for n in range(15)
]


def test_sections_of_teaser_cards_below_the_story_are_no_part_of_it() -> None:
    sections = "".join(
        "<section class='wrapper'><div class='grid'>"
        + "".join(
            f"<article class='story-card'><h2><a href='/other/{n}'>Other story {n}</a></h2>"
            f"<div class='description'><p>{TEASER_SUMMARIES[n]}</p></div></article>"
            for n in range(start, start + 5)
        )
        + "</div></section>"
        for start in (0, 5, 10)
    )
    page = (
        f"<html><head><title>{TITLE}</title></head><body>"
        f"<section><article class='story'><h1>{TITLE}</h1>"
        f"<div class='content'>{paragraphs()}</div></article></section>"
        f"{sections}</body></html>"
    )
    article = clean(page)
    assert_all_prose(article.text)
    assert [summary for summary in TEASER_SUMMARIES if summary in article.text] == []


# A longer article: what comes after PROSE, when a test needs most of the page's prose elsewhere.
_WEEKS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()
MORE_PROSE = [
    f"In the {week} week after the reopening, traffic on the bridge rose again, and the engineers "
    f"listed {n + 2} small repairs that still had to be scheduled before the summer holidays began."
    for n, week in enumerate(_WEEKS)
]


# The body split around its scope: a paywalled page shows its first paragraphs and keeps the rest
# in a hidden wrapper, which holds most of the prose and wins the scope.
def test_paragraphs_before_a_paywall_wrapper_start_the_body() -> None:
    shown, hidden = PROSE[:2], PROSE[2:] + MORE_PROSE
    body = (
        f"<article><h1>{TITLE}</h1><div class='byline'><p class='author'>Ana Reyes</p>"
        "<time>25/04/2026</time></div>"
        + "".join(f"<p class='v-d-p'>{line}</p>" for line in shown)
        + "<div class='paywall' hidden>"
        + "".join(f"<p class='v-d-p'>{line}</p>" for line in hidden)
        + "</div></article>"
    )
    text = clean(html_page(body)).text
    lines = text.splitlines()
    assert lines[: len(shown + hidden)] == shown + hidden
    assert "Ana Reyes" not in text


def test_a_free_block_before_the_walled_block_starts_the_body() -> None:
    # The body in two sibling blocks: the free part (one paragraph) and the walled part with the
    # rest, which wins the scope. The free block is made of the walled block's kind of paragraph.
    free, walled = PROSE[:1], PROSE[1:] + MORE_PROSE
    paragraph = "<p class='body-elements__paragraph'>{}</p>"
    body = (
        f"<article><header><h1>{TITLE}</h1><p class='byline'>By Ana Reyes, Geneva</p></header>"
        "<div class='upper-toolbar'><button>Print</button></div>"
        f"<div class='body-elements'>{''.join(paragraph.format(line) for line in free)}</div>"
        f"<div class='body-elements walled-content'>{''.join(paragraph.format(line) for line in walled)}</div>"
        "</article>"
    )
    lines = clean(html_page(body)).text.splitlines()
    assert lines == free + walled


# Paywalled paragraphs served as <p aria-hidden="true"> (blurred until the reader pays) are
# article text; trafilatura discards every aria-hidden element. Hidden icons and labels stay out.
def test_paragraphs_hidden_behind_a_paywall_are_kept() -> None:
    # Most of the article is free: fewer than 40% of its words hidden, which trafilatura would
    # lose without a second reading of the body (see _recover_chunks).
    shown, paid = PROSE + MORE_PROSE[:5], MORE_PROSE[5:8]
    body = (
        f"<article><h1>{TITLE}</h1><div class='article-body'>"
        + "".join(f"<p>{line}</p>" for line in shown)
        + "<span aria-hidden='true' class='icon'>Subscribe to keep reading this article today</span>"
        + "".join(f"<p class='paywall' aria-hidden='true'>{line}</p>" for line in paid)
        + "</div></article>"
    )
    text = clean(html_page(body)).text
    assert text.splitlines() == shown + paid


# A live blog: a standfirst (the page's description), then a lead entry of several paragraphs
# right before the entries, which hold most of the prose and win the scope. Both are article text.
def test_a_live_blogs_lead_entry_before_the_entries_is_kept() -> None:
    head = f'<meta name="description" content="{LEAD}">'
    lead_entry = PROSE[:2]
    entries = "".join(
        f"<div class='entry'><h3>Update {n}</h3><p>{line}</p></div>"
        for n, line in enumerate(PROSE[2:] + MORE_PROSE)
    )
    body = (
        f"<article><h1>{TITLE}</h1><p class='standfirst'>{LEAD}</p>"
        "<div class='live-container'>"
        + "<div class='live-event-lead-entry'>"
        + "".join(f"<p>{line}</p>" for line in lead_entry)
        + f"</div><div class='live-event-entries'>{entries}</div></div></article>"
    )
    lines = clean(html_page(body, head)).text.splitlines()
    assert lines[:3] == [LEAD, *lead_entry]
    assert_all_prose("\n".join(lines), PROSE + MORE_PROSE)
