"""The page's own URL, when its HTML records it (canonical link or og:url), read cheaply from the
raw bytes: saved pages carry no other trace of where they came from."""

from __future__ import annotations

import re

_URL_HINT = re.compile(
    rb"""<link[^>]+rel=["']?canonical["']?[^>]*href=["']([^"']+)["']"""
    rb"""|<link[^>]+href=["']([^"']+)["'][^>]*rel=["']?canonical"""
    rb"""|<meta[^>]+property=["']og:url["'][^>]*content=["']([^"']+)["']""",
    re.IGNORECASE,
)


def own_url(body: bytes) -> str | None:
    match = _URL_HINT.search(body[:200_000])
    if not match:
        return None
    value = next(g for g in match.groups() if g)
    return value.decode("utf-8", "replace").strip() or None
