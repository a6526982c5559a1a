"""Property-based fuzzing of the cleaner on mutated pages: no exception escapes, no hang.

Seeds are the project's own fixture pages and, when ../shared is present, the real saved portal
pages. Mutations cut, duplicate, splice and corrupt bytes and tags; every result must be an
Article or a Rejected, within the per-page time limit."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners.pipeline import clean_page
from cleaners.settings import CleanSettings
from cleaners.types import Article, Page, Rejected
from tests.conftest import SHARED

FIXTURES = Path(__file__).parent / "fixtures" / "portals"
SEEDS = sorted(FIXTURES.glob("*.html")) + sorted((SHARED / "corpus" / "id-news").glob("*/*.html"))
PAGES = [path.read_bytes() for path in SEEDS]
LIMIT = CleanSettings(time_limit=5.0)


@st.composite
def mutated_page(draw: st.DrawFn) -> bytes:
    page = bytearray(draw(st.sampled_from(PAGES)))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["cut", "dup", "junk", "flip", "truncate", "tags"]))
        start = draw(st.integers(0, max(0, len(page) - 1)))
        end = min(len(page), start + draw(st.integers(0, 5000)))
        if kind == "cut":
            del page[start:end]
        elif kind == "dup":
            page[start:start] = page[start:end] * draw(st.integers(1, 5))
        elif kind == "junk":
            page[start:start] = draw(st.binary(min_size=1, max_size=300))
        elif kind == "flip" and page:
            page[start] ^= 0xFF
        elif kind == "truncate":
            del page[start:]
        elif kind == "tags":
            page[start:start] = draw(
                st.sampled_from(
                    [
                        b"<div>" * 500,
                        b"</p></div></body>",
                        b"<!--",
                        b"<script>",
                        b"<![CDATA[",
                        b"&#x0;&#xD800;",
                        b"\xef\xbb\xbf",
                        b"<meta charset=utf-16>",
                    ]
                )
            )
    return bytes(page)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(
    body=mutated_page(),
    headers=st.sampled_from(
        [
            {},
            {"content-type": "text/html"},
            {"content-type": "text/html; charset=latin-1"},
            {"content-type": "text/html; charset=bogus-enc"},
        ]
    ),
)
def test_cleaner_never_raises_or_hangs(body: bytes, headers: dict[str, str]) -> None:
    started = time.monotonic()
    result = clean_page(
        Page(url="https://www.viva.co.id/berita/nasional/1700000-uji", body=body, headers=headers), LIMIT
    )
    assert isinstance(result, (Article, Rejected))
    if isinstance(result, Rejected):
        assert result.reason and isinstance(result.detail, str)
    assert time.monotonic() - started < 15
