"""The problem in one file: the VIVA Putin/Kim article with three unrelated headlines and a photo
credit mixed into its text (../shared/seed). Rebuilt as a modern VIVA page, unlinked headlines and
all, it must come out with every body line and none of the intruders, with no headline index."""

from __future__ import annotations

from html import escape
from pathlib import Path

from cleaners.pipeline import clean_page
from cleaners.types import Article, Page

INTRUDERS = ("Respon Menyentuh", "Habib Bahar Akui", "Begini Tampang Panik")
URL = "https://siap.viva.co.id/news/internasional/1234567-putin-dan-kim-jong-un"


def seed_lines(shared: Path) -> list[str]:
    text = (shared / "seed" / "viva-putin-kim-extracted.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def build_page(lines: list[str]) -> tuple[str, list[str]]:
    title, caption, body = lines[0], lines[1], lines[4:]
    parts, expected = [], []
    for line in body:
        if line.startswith("- "):
            parts.append(f"<ul><li>{escape(line[2:])}</li></ul>")
            expected.append(line[2:])
        else:
            parts.append(f"<p>{escape(line)}</p>")
            if not line.startswith(INTRUDERS):
                expected.append(line)
    html = (
        f"<html><head><title>{escape(title)}</title></head><body>"
        f"<h1 class='main-content-title'>{escape(title)}</h1>"
        "<div class='main-content-date'>Kamis, 14 September 2023 - 10:15 WIB</div>"
        f"<figure><img alt='img_title'><div class='caption'>{escape(caption)}"
        f"<span>Sumber :</span><ul><li>{escape(lines[3].lstrip('• '))}</li></ul></div></figure>"
        f"<div class='main-content-detail'>{''.join(parts)}</div></body></html>"
    )
    return html, expected


def test_seed_article_comes_out_clean(shared: Path) -> None:
    html, expected = build_page(seed_lines(shared))
    result = clean_page(Page(url=URL, body=html.encode()))
    assert isinstance(result, Article), result
    for intruder in (*INTRUDERS, "Sumber", "iqbal ajie", "img_title"):
        assert intruder not in result.text, f"leaked: {intruder}"
    assert result.text.splitlines() == [" ".join(line.split()) for line in expected]
    assert result.published_at == "2023-09-14T10:15:00+07:00"
