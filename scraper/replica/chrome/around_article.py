"""What sits around the article body on a replica page (outside its container, as on the real
site): the share bar and the comment box."""

from __future__ import annotations

import re
from urllib.parse import quote

from scraper.replica.chrome.markup import esc

_SHARE = (
    ("facebook", "Facebook", "https://facebook.replika-viva.test/sharer?u="),
    ("x", "X", "https://x.replika-viva.test/intent/post?url="),
    ("whatsapp", "WhatsApp", "https://whatsapp.replika-viva.test/send?text="),
    ("telegram", "Telegram", "https://telegram.replika-viva.test/share?url="),
    ("linkedin", "LinkedIn", "https://linkedin.replika-viva.test/share?url="),
)


_PLAIN_URL = re.compile(r"[A-Za-z0-9_.~:/-]*").fullmatch  # quote(url, safe="") changes only ":" and "/"


def share_bar(url: str, title: str) -> str:
    """Share buttons under the byline (outside the body container, as on the real site)."""
    target = url.replace(":", "%3A").replace("/", "%2F") if _PLAIN_URL(url) else quote(url, safe="")
    buttons = "".join(
        f'<a class="share-button share-{name}" href="{prefix}{target}" rel="noopener nofollow" '
        f'target="_blank" aria-label="Bagikan ke {label}"><i class="icon icon-{name}"></i></a>'
        for name, label, prefix in _SHARE
    )
    return (
        f'<div class="share-bar" data-title="{esc(title)}">{buttons}'
        '<button class="share-button share-copy" type="button" aria-label="Salin tautan">'
        '<i class="icon icon-link"></i></button></div>'
    )


def comments(article_id: int) -> str:
    """The comment box: a placeholder filled by script, as portals load comments client-side."""
    return (
        f'<section class="comments-box" id="komentar" data-article-id="{article_id}">'
        '<h3 class="widget-title">Komentar</h3><div class="comments-box__list" aria-live="polite"></div>'
        '<button class="comments-box__more" type="button">Tampilkan komentar</button></section>'
    )
