"""Hostile and broken input: every case ends in an article or a Rejected with a reason, in time."""

from __future__ import annotations

import codecs
import gzip
import time

import pytest

from cleaners.decode import DecodeError, decode_document, decode_html
from cleaners.pipeline import clean_page
from cleaners.settings import CleanSettings
from cleaners.timeouts import PageTimeout, time_limit
from cleaners.types import Article, Page, Rejected, RejectReason

URL = "https://example.org/news/2026/11/20/kota-taman-baru"
SENTENCE = "Warga kota menikmati taman baru yang dibuka pada akhir pekan dengan gembira. "
BODY = "<p>" + SENTENCE * 6 + "</p>"


def html_doc(body: str = BODY, head: str = "") -> str:
    return f"<html><head>{head}<title>Taman</title></head><body><article>{body * 3}</article></body></html>"


def reason_of(result: Article | Rejected) -> RejectReason | None:
    return result.reason if isinstance(result, Rejected) else None


def test_empty_input_is_rejected() -> None:
    assert reason_of(clean_page(Page(url=URL, body=b""))) == RejectReason.EMPTY
    assert reason_of(clean_page(Page(url=URL, body=b"  \n\t "))) == RejectReason.EMPTY


@pytest.mark.parametrize("magic", [b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"PK\x03\x04"])
def test_binary_input_is_not_html(magic: bytes) -> None:
    assert reason_of(clean_page(Page(url=URL, body=magic + bytes(range(256)) * 20))) == RejectReason.NOT_HTML


def test_non_html_content_type_is_rejected() -> None:
    page = Page(url=URL, body=b'{"a": 1}', headers={"Content-Type": "application/json"})
    assert reason_of(clean_page(page)) == RejectReason.NOT_HTML


def test_oversized_page_is_rejected_quickly() -> None:
    body = (html_doc() * 2000).encode()
    assert len(body) > 2_000_000
    result = clean_page(Page(url=URL, body=body), CleanSettings(max_bytes=1_000_000))
    assert reason_of(result) == RejectReason.TOO_LARGE


def test_twenty_megabytes_within_limit_gives_an_answer() -> None:
    filler = "<div><p>" + SENTENCE * 3 + "</p></div>"
    body = html_doc(filler * 30_000).encode()
    assert len(body) >= 20_000_000
    started = time.monotonic()
    result = clean_page(Page(url=URL, body=body), CleanSettings(max_bytes=64 * 1024 * 1024, time_limit=3))
    # Either an article or a timeout reject, but within the per-page limit (plus teardown slack).
    assert isinstance(result, Article) or result.reason == RejectReason.TIMEOUT
    assert time.monotonic() - started < 8


def test_deep_nesting_does_not_crash() -> None:
    body = "<div>" * 10_000 + BODY * 3 + "</div>" * 10_000
    result = clean_page(Page(url=URL, body=html_doc(body).encode()))
    if isinstance(result, Article):
        assert "Warga kota menikmati" in result.text
    else:
        assert result.reason in (RejectReason.UNPARSABLE, RejectReason.TIMEOUT, RejectReason.ERROR)
        assert result.detail


def test_broken_markup_still_yields_the_text() -> None:
    broken = "<p>" + SENTENCE * 4 + "<div><b><i>" + SENTENCE * 4 + "</p></span><p>" + SENTENCE * 4
    result = clean_page(Page(url=URL, body=html_doc(broken).encode()))
    assert isinstance(result, Article)
    assert "Warga kota menikmati" in result.text


def test_time_limit_gives_timeout_reject(monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaners.pipeline as pipeline

    def slow(*args: object, **kwargs: object) -> str:
        time.sleep(3)
        return ""

    monkeypatch.setattr(pipeline, "extract_body", slow)
    result = clean_page(Page(url=URL, body=html_doc().encode()), CleanSettings(time_limit=0.5))
    assert reason_of(result) == RejectReason.TIMEOUT


def test_a_swallowed_timeout_fires_again() -> None:
    # Code under the limit may swallow the first alarm (a broad `except Exception`, a gc callback
    # whose exceptions Python ignores): the limit must still end the page.
    started = time.monotonic()
    with pytest.raises(PageTimeout), time_limit(0.05):
        try:
            while time.monotonic() - started < 5:
                pass
        except PageTimeout:
            pass  # swallowed
        while time.monotonic() - started < 5:
            pass
    assert time.monotonic() - started < 2


def test_unexpected_exception_becomes_error_reject(monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaners.pipeline as pipeline

    def boom(*args: object, **kwargs: object) -> str:
        raise ValueError("kaboom")

    monkeypatch.setattr(pipeline, "extract_body", boom)
    result = clean_page(Page(url=URL, body=html_doc().encode()))
    assert reason_of(result) == RejectReason.ERROR
    assert isinstance(result, Rejected) and "kaboom" in result.detail


# -- decoding ---------------------------------------------------------------------------------

TEXT = "Kota Bandung menyambut musim hujan — warga siaga; café buka “sampai malam”."


def test_utf8_mislabelled_as_latin1_is_read_as_utf8() -> None:
    data = html_doc(f"<p>{TEXT}</p>").encode("utf-8")
    assert TEXT in decode_html(data, "text/html; charset=iso-8859-1")


def test_windows_1252_mislabelled_as_utf8_is_sniffed() -> None:
    data = html_doc(f"<p>{TEXT}</p>", '<meta charset="utf-8">').encode("cp1252")
    assert "café" in decode_html(data, None)


def test_meta_charset_is_used() -> None:
    data = html_doc(
        "<p>café crème</p>", '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    )
    assert "café crème" in decode_html(data.encode("cp1252"))


@pytest.mark.parametrize("codec", ["utf-16", "utf-8-sig"])
def test_bom_wins(codec: str) -> None:
    data = html_doc(f"<p>{TEXT}</p>").encode(codec)
    assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8))
    assert TEXT in decode_html(data)


@pytest.mark.parametrize("codec", ["utf-8", "cp1252", "utf-16", None])
def test_nul_characters_are_removed(codec: str | None) -> None:
    # Whatever the encoding, a NUL in the page never reaches the parser (the decoder looks for
    # zero bytes in the raw input before it scans the text).
    page = html_doc(f"<p>{TEXT}</p>").replace("warga", "war\x00ga")
    text = decode_html(page if codec is None else page.encode(codec, errors="replace"))
    assert "\x00" not in text and "warga siaga" in text


def test_bytes_go_to_the_parser_as_they_are_only_when_they_are_the_texts_utf8() -> None:
    page = html_doc(f"<p>{TEXT}</p>")
    for data in (page.encode(), gzip.compress(page.encode()), html_doc().encode("ascii")):
        decoded = decode_document(data)
        assert decoded.utf8 is not None and decoded.utf8.decode("utf-8") == decoded.text
    for data in (page.encode("utf-16"), html_doc("<p>café</p>").encode("cp1252"), b"<p>a\x00b</p>" * 9):
        assert decode_document(data).utf8 is None


def test_gzip_body_is_inflated_and_bomb_is_stopped() -> None:
    assert "Warga kota" in decode_html(gzip.compress(html_doc().encode()))
    bomb = gzip.compress(b"<p>" + b"a" * 50_000_000)
    with pytest.raises(DecodeError) as caught:
        decode_html(bomb, max_bytes=1_000_000)
    assert caught.value.reason == "too_large"
