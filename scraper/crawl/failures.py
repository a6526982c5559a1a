"""Why a request failed for good, as a short stable key (http_404, timeout, dns, connection...):
the keys of failures.jsonl and of the run report's `failed` counts."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure


def failure_reason(failure: Failure) -> str:
    """A short stable key for why a request failed: http_404, timeout, dns, connection..."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    message = str(exc).lower()
    if "max size" in message or "download_maxsize" in message:  # the body or its gzip, inflated
        return "too_large"
    if isinstance(exc, IgnoreRequest):
        reason = getattr(exc, "reason", None)  # scraper.crawl.guard.Refused: offsite, redirect_loop
        if isinstance(reason, str):
            return reason
        return "robots" if "robots" in message else "ignored"
    name = type(exc).__name__.lower()
    return next((reason for part, reason in _NETWORK_ERRORS if part in name), name)


# Exception class name parts (Twisted, Scrapy, h2) -> reason: many classes, few causes.
_NETWORK_ERRORS = (
    ("timeout", "timeout"), ("timedout", "timeout"), ("dns", "dns"), ("resolve", "dns"),
    ("refused", "connection"), ("connect", "connection"),
    ("responsenevercomplete", "truncated"), ("partialdownload", "truncated"), ("dataloss", "truncated"),
    ("responseneverreceived", "connection"), ("downloadfailed", "connection"),
    # Scrapy's HTTP/1.1 handler cancels a download in flight only when it outgrows DOWNLOAD_MAXSIZE
    # (the message is empty then); timeouts and shutdown raise other errors.
    ("downloadcancelled", "too_large"),
)  # fmt: skip
