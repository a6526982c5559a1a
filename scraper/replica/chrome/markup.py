"""What every part of the chrome uses: escaping, VIVA's printed dates, the invented asset hosts,
inline scripts and ad slots."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from html import escape


def esc(text: str, quote: bool = True) -> str:
    """`html.escape`, without its five replace() calls on the common text that needs none."""
    if "&" in text or "<" in text or ">" in text or (quote and ('"' in text or "'" in text)):
        return escape(text, quote)
    return text


_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


@lru_cache(maxsize=4096)  # sidebars print the same few thousand dates again and again
def format_wib(iso: str) -> str:
    """VIVA's printed date: "Jumat, 20 November 2026 - 08:00 WIB"."""
    when = datetime.fromisoformat(iso)
    return f"{_DAYS[when.weekday()]}, {when.day} {_MONTHS[when.month - 1]} {when.year} - {when:%H:%M} WIB"


ASSETS = "https://static.replika-viva.test"  # invented hosts (RFC 2606 .test): never resolvable
CDN = "https://cdn.replika-viva.test"
ANALYTICS = "https://stats.replika-viva.test"
ADS = "https://ads.replika-viva.test"


def script(code: str) -> str:
    return f"<script>{code}</script>"


def script_json(value: object) -> str:
    """JSON that can sit inside a <script>: "</" would end it early."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def ad_slot(slot: str, label: bool = True) -> str:
    caption = '<span class="ads-label">ADVERTISEMENT</span>' if label else ""
    return (
        f'<div class="ads-slot ads-{slot}">{caption}<div id="div-gpt-ad-{slot}" class="ads-slot__unit">'
        f"<script>googletag.cmd.push(function(){{googletag.display('div-gpt-ad-{slot}');}});</script>"
        "</div></div>"
    )
