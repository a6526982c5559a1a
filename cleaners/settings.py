"""Typed settings, passed explicitly (no globals). CLI options map onto these fields."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CleanSettings:
    max_bytes: int = 20 * 1024 * 1024  # larger pages are rejected as too_large
    time_limit: float = 10.0  # seconds of cleaning per page before it is rejected as timeout
    min_words: int = 20  # fewer words in the body: too_short (or index_page when link-heavy)
    container_share: float = 0.8  # a container must hold this share of the page's prose
    favor_precision: bool = True  # trafilatura's precision mode, on pages of unknown sites


DEFAULT_CLEAN = CleanSettings()
