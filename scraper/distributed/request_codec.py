"""Requests in the shared Redis queue as signed data, never pickles.

scrapy-redis stores requests pickled, so anyone who can write to the Redis database can run code
as every worker (a crafted pickle's __reduce__ runs at load). Here a request is stored as JSON of
plain data only (URL, method, headers, body, meta, the callback and errback by name) and signed:

    n1.<hex HMAC-SHA256 of the JSON>.<JSON>

with a secret that every process of the job shares (`--redis-secret` or `NEWS_REDIS_SECRET`).
Anything else in the queue (a pickle, a forged or damaged entry, one signed with another secret)
is `Undecodable`: the scheduler moves it to the dead-letter list and goes on.

Values outside JSON are tagged one-key objects: bytes {"$b": base64}, a tuple {"$t": [...]}, an
aware datetime {"$dt": iso}, a feed entry {"$entry": {...}}, a dict whose keys are not all plain
strings {"$d": [[key, value], ...]}. Nothing is ever imported or called by name when decoding,
except the spider's own public methods as callback and errback.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from datetime import datetime
from typing import Any

import orjson
from scrapy import Request, Spider

from scraper.crawl.feeds import FeedEntry
from scraper.errors import ConfigError, ScraperError

SECRET_ENV = "NEWS_REDIS_SECRET"
MIN_SECRET = 16  # characters: a short secret is guessed offline from any signed entry
_PREFIX = b"n1."
_MAC_HEX = 64
# The Request fields kept; anything else in a stored dict (such as scrapy's "_class") is refused.
_FIELDS = ("url", "method", "headers", "body", "cookies", "meta", "encoding", "priority",
           "dont_filter", "flags", "cb_kwargs")  # fmt: skip


class Undecodable(ScraperError):
    """A queue entry this process did not write: unsigned, forged, damaged or of another job."""


def redis_secret(given: str | None) -> bytes:
    """The job's shared secret: the option, else $NEWS_REDIS_SECRET; a ConfigError without one."""
    secret = given if given is not None else os.environ.get(SECRET_ENV)
    if not secret:
        raise ConfigError(
            f"a distributed crawl needs a secret shared by the coordinator and every worker: set "
            f"{SECRET_ENV} (e.g. export {SECRET_ENV}=$(openssl rand -hex 32)) or give --redis-secret"
        )
    if len(secret) < MIN_SECRET:
        raise ConfigError(f"the Redis secret must be at least {MIN_SECRET} characters")
    return secret.encode()


class RequestCodec:
    """Request <-> signed bytes for one spider (whose methods the callbacks name)."""

    def __init__(self, secret: bytes, spider: Spider) -> None:
        self.secret, self.spider = secret, spider

    def sign(self, payload: bytes) -> bytes:
        return hmac.new(self.secret, payload, hashlib.sha256).hexdigest().encode()

    def encode(self, request: Request, callback: str | None, errback: str | None) -> bytes:
        data = {name: getattr(request, name) for name in _FIELDS}
        data.update(headers=dict(request.headers), callback=callback, errback=errback)
        payload = orjson.dumps(_to_data(data))
        return _PREFIX + self.sign(payload) + b"." + payload

    def verify(self, stored: bytes) -> bytes:
        """The JSON payload of `stored`, if this job's secret signed it; else Undecodable."""
        if not isinstance(stored, bytes) or not stored.startswith(_PREFIX):
            raise Undecodable("not a signed request (a pickle or another format)")
        mac, dot, payload = stored[len(_PREFIX) :].partition(b".")
        if len(mac) != _MAC_HEX or not dot:
            raise Undecodable("malformed signed request")
        if not hmac.compare_digest(mac, self.sign(payload)):
            raise Undecodable("bad signature (forged, damaged, or another secret)")
        return payload

    def decode(self, stored: bytes) -> Request:
        payload = self.verify(stored)
        try:
            data = _from_data(orjson.loads(payload))
            if not isinstance(data, dict) or not isinstance(data.get("url"), str):
                raise ValueError("no URL")
            kwargs = {name: data[name] for name in _FIELDS if name in data}
            for name in ("callback", "errback"):
                if data.get(name) is not None:
                    kwargs[name] = self._method(data[name])
            return Request(**kwargs)
        except (ValueError, TypeError, KeyError, binascii.Error, orjson.JSONDecodeError) as exc:
            raise Undecodable(f"signed but unusable request: {exc}") from exc

    def _method(self, name: object) -> Any:
        if not isinstance(name, str) or name.startswith("_") or name not in dir(type(self.spider)):
            raise ValueError(f"callback {name!r} is not a method of the spider")
        method = getattr(self.spider, name)
        if not callable(method):
            raise ValueError(f"callback {name!r} is not a method of the spider")
        return method


def _to_data(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, list):
        return [_to_data(v) for v in value]
    if isinstance(value, tuple):
        return {"$t": [_to_data(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _to_data(v) for k, v in value.items()}
        return {"$d": [[_to_data(k), _to_data(v)] for k, v in value.items()]}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, FeedEntry):
        return {"$entry": [value.url, value.title, _to_data(value.published), _to_data(value.lastmod),
                           list(value.keywords)]}  # fmt: skip
    raise TypeError(f"a {type(value).__name__} cannot be queued in Redis (not plain data)")


def _from_data(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_data(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag.startswith("$"):
            return _tagged(tag, inner)
    return {k: _from_data(v) for k, v in value.items()}


def _tagged(tag: str, inner: Any) -> Any:
    if tag == "$b" and isinstance(inner, str):
        return base64.b64decode(inner, validate=True)
    if tag == "$t" and isinstance(inner, list):
        return tuple(_from_data(v) for v in inner)
    if tag == "$d" and isinstance(inner, list):
        return {_hashable(_from_data(k)): _from_data(v) for k, v in inner}
    if tag == "$dt" and isinstance(inner, str):
        return datetime.fromisoformat(inner)
    if tag == "$entry" and isinstance(inner, list) and len(inner) == 5:
        url, title, published, lastmod, keywords = inner
        if not isinstance(url, str) or not (title is None or isinstance(title, str)):
            raise ValueError("bad feed entry")
        dates = [_from_data(published), _from_data(lastmod)]
        if not all(d is None or isinstance(d, datetime) for d in dates):
            raise ValueError("bad feed entry date")
        return FeedEntry(url, title, dates[0], dates[1], tuple(str(k) for k in keywords))
    raise ValueError(f"unknown tag {tag!r}")


def _hashable(key: Any) -> Any:
    if isinstance(key, list | dict):
        raise ValueError("unhashable key")
    return key
