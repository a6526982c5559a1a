"""Bytes to text: BOM, HTTP charset, meta charset, then sniffing; binary and compressed input detected.

Indonesian portals often declare ISO-8859-1 or windows-1252 while sending UTF-8 (and the reverse), so
a declared charset is trusted only when the bytes agree with it: bytes that are valid UTF-8 and hold
multi-byte sequences are UTF-8 whatever the label says (windows-1252 text essentially never is).
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass

from charset_normalizer import from_bytes


class DecodeError(ValueError):
    """The input is not text we can read; `reason` is a RejectReason value."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY_MAGIC = {
    b"%PDF": "PDF document",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"PK\x03\x04": "ZIP archive",
    b"RIFF": "RIFF media",
    b"\x00\x00\x00": "binary data",
}
_GZIP_MAGIC = b"\x1f\x8b"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
# WHATWG: these labels mean windows-1252 in browsers, and pages rely on it.
_LATIN1_ALIASES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii", "l1"}


def gunzip_bounded(data: bytes, max_bytes: int) -> bytes:
    """Decompress gzip input, refusing to inflate past max_bytes (a gzip bomb stops here)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise DecodeError("undecodable", f"corrupt gzip data: {exc}") from exc
    if len(out) > max_bytes:
        raise DecodeError("too_large", f"gzip content inflates past {max_bytes} bytes")
    return out


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _LATIN1_ALIASES:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(data: bytes, content_type: str | None) -> str | None:
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        if match and (codec := _codec(match.group(1))):
            return codec
    match = _META_CHARSET.search(data[:4096])
    return _codec(match.group(1).decode("ascii", "replace")) if match else None


def _binary_kind(data: bytes) -> str | None:
    head = data[:1024]
    for magic, kind in _BINARY_MAGIC.items():
        if head.startswith(magic):
            return kind
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return "binary data" if head and controls / len(head) > 0.1 else None


def _as_utf8_with_multibyte(data: bytes) -> str | None:
    """The text, if the bytes are valid UTF-8 that holds multi-byte sequences; else None."""
    if data.isascii():
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    # The same document as UTF-8 bytes when the input already was exactly that (most pages): the
    # parser takes them as they are instead of encoding the text again (~0.15 ms a page).
    utf8: bytes | None = None


def decode_html(data: bytes | str, content_type: str | None = None, max_bytes: int = 10**8) -> str:
    """Return the document as text, or raise DecodeError with a RejectReason value."""
    return decode_document(data, content_type, max_bytes).text


def decode_document(data: bytes | str, content_type: str | None = None, max_bytes: int = 10**8) -> Decoded:
    """The document as text (and as UTF-8 bytes when the input was those), or DecodeError."""
    utf8 = None
    if isinstance(data, str):
        text = data
        may_hold_nul = True
    else:
        if data.startswith(_GZIP_MAGIC):
            data = gunzip_bounded(data, max_bytes)
        text, as_is = _decode_bytes(data, content_type)
        # Only a zero byte decodes to U+0000, and looking for one in bytes is a memchr: scanning
        # the decoded text (or replacing in it) costs ~0.1 ms a page.
        may_hold_nul = b"\x00" in data
        utf8 = data if as_is and not may_hold_nul else None
    if not text.strip():
        raise DecodeError("empty", "no content")
    return Decoded(text.replace("\x00", "") if may_hold_nul and "\x00" in text else text, utf8)


# Codecs that read ASCII bytes as themselves: ASCII input decoded by one of them is its own UTF-8.
_ASCII_AS_IS = frozenset(("utf-8", "cp1252", "ascii", "iso8859-1", "iso8859-15"))


def _decode_bytes(data: bytes, content_type: str | None = None) -> tuple[str, bool]:
    """The text, and whether the bytes are that text's UTF-8 as they are."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), False
    if not data.strip():
        raise DecodeError("empty", "no content")
    if kind := _binary_kind(data):
        raise DecodeError("not_html", f"input is {kind}, not HTML")
    if (text := _as_utf8_with_multibyte(data)) is not None:
        return text, True
    declared = declared_charset(data, content_type)
    if declared:
        try:
            return data.decode(declared), declared in _ASCII_AS_IS and data.isascii()
        except (UnicodeDecodeError, LookupError):
            pass  # mis-declared: fall through to sniffing
    if data.isascii():
        return data.decode("ascii"), True
    best = from_bytes(data[:65536]).best()
    if best is None:
        raise DecodeError("undecodable", "no character encoding fits the bytes")
    return data.decode(best.encoding, errors="replace"), False
