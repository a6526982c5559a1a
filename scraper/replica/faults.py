"""Seeded, composable fault plans for the replica portal: `ReplicaPortal(site, faults=plan)`.

    plan = FaultPlan(Rule(transient(), rate=0.1, attempts=2), Rule(missing(), where=exact(path)))
    with plan.serve(site) as portal: ...

A `Rule` says which requests a fault hits: `where` (a predicate on the request target), `rate` (a
share drawn from `random.Random` seeded by (seed, rule, target, attempt), so a run is repeatable)
and `attempts` (only the first N requests of a target: its retries then succeed). The first rule
that fires answers; none firing serves the page normally. Faults get a `Hit`, whose `normal()`
renders the page the site would have served, so a fault can damage a real page.

`fault_spec.parse_faults("transient:0.1:seed=7")` builds a plan from the `python -m scraper.replica
--faults` syntax. Faults of robots.txt and sitemaps are in `feed_faults`, and
`scraper.replica.hostile` holds the hostile-input scenario.
"""

from __future__ import annotations

import random
import re
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from scraper.replica.feeds import HTML, TEXT, Response, not_found
from scraper.replica.pages import route
from scraper.replica.server import ABORT, ReplicaPortal
from scraper.replica.site import ReplicaSite

CHUNK = 64 * 1024
MAX_SLEEP = 30.0  # a slow fault never holds a server thread longer than this


@dataclass(frozen=True)
class Hit:
    """One request a rule fired on."""

    target: str  # path and query, as requested
    attempt: int  # 0 for the first request of this target
    rng: random.Random  # seeded by (seed, rule, target, attempt)
    base_url: str
    normal: Callable[[], Response]  # the response the site would have sent


Fault = Callable[[Hit], Response | None]
Where = Callable[[str], bool]


def everywhere(target: str) -> bool:
    return True


def exact(*targets: str) -> Where:
    """These targets, with or without a query (articles are requested with ?page=all)."""
    wanted = frozenset(targets)
    return lambda target: target in wanted or target.split("?", 1)[0] in wanted


def under(prefix: str) -> Where:
    return lambda target: target.startswith(prefix)


def articles(site: ReplicaSite) -> Where:
    return lambda target: site.by_path(target) is not None


@dataclass(frozen=True)
class Rule:
    fault: Fault
    where: Where = everywhere
    rate: float = 1.0
    attempts: int | None = None  # None: every attempt; N: the first N attempts of a target
    name: str = ""


class FaultPlan:
    """The `faults` hook: thread-safe, counts attempts per target and faults injected per rule."""

    def __init__(self, *rules: Rule, seed: int = 0) -> None:
        self.rules, self.seed = rules, seed
        self.attempts: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()  # rule name (or index) -> responses replaced
        self.portal: ReplicaPortal | None = None
        self._lock = threading.Lock()

    def serve(self, site: ReplicaSite, **options: Any) -> ReplicaPortal:
        """A portal answering through this plan (not started: use it as a context manager)."""
        self.portal = ReplicaPortal(site, faults=self, **options)
        return self.portal

    def __call__(self, target: str) -> Response | None:
        with self._lock:
            attempt = self.attempts[target]
            self.attempts[target] += 1
        base_url = self._base_url()  # now: a slow fault may finish after the portal stopped
        for index, rule in enumerate(self.rules):
            if (rule.attempts is not None and attempt >= rule.attempts) or not rule.where(target):
                continue
            rng = random.Random(f"{self.seed}:{index}:{target}:{attempt}")
            if rule.rate < 1.0 and rng.random() >= rule.rate:
                continue
            response = rule.fault(Hit(target, attempt, rng, base_url, lambda: self._normal(base_url, target)))
            if response is not None:
                with self._lock:
                    self.injected[rule.name or str(index)] += 1
                return response
        return None

    def _base_url(self) -> str:
        return self.portal.base_url if self.portal is not None else "http://127.0.0.1"

    def _normal(self, base_url: str, target: str) -> Response:
        if self.portal is None:
            raise RuntimeError("this fault needs the real page: create the portal with plan.serve(site)")
        return route(self.portal.site, base_url, target)


# -- faults ----------------------------------------------------------------------------------------


def status(code: int, body: bytes = b"", **headers: str) -> Fault:
    return lambda hit: Response(code, {"Content-Type": TEXT, **headers}, body or f"{code}\n".encode())


def server_error() -> Fault:
    return lambda hit: status(hit.rng.choice((500, 502, 503)))(hit)


def reset() -> Fault:
    return lambda hit: Response(ABORT, {}, b"")


def transient() -> Fault:
    """The everyday mix of a busy portal: 500, 502, 503 and connection resets."""
    return lambda hit: reset()(hit) if hit.rng.random() < 0.25 else server_error()(hit)


def too_many_requests(retry_after: int) -> Fault:
    return status(429, b"slow down\n", **{"Retry-After": str(retry_after)})


def missing() -> Fault:
    return lambda hit: not_found()


def slow(seconds: float, then: Fault | None = None) -> Fault:
    """Sleep (bounded), then answer as `then` would, or normally."""

    def fault(hit: Hit) -> Response:
        time.sleep(min(seconds, MAX_SLEEP))
        return (then(hit) if then else None) or hit.normal()

    return fault


def truncated(share: float = 0.5) -> Fault:
    """The real page, cut short of the Content-Length it announces."""

    def fault(hit: Hit) -> Response:
        page = hit.normal()
        keep = int(len(page.body) * share)
        return Response(
            page.status, {**page.headers, "Content-Length": str(len(page.body))}, page.body[:keep]
        )

    return fault


def content_type(value: str, body: bytes | None = None) -> Fault:
    return lambda hit: _with_type(hit.normal() if body is None else Response(200, {}, body), value)


def _with_type(page: Response, value: str) -> Response:
    headers = {k: v for k, v in page.headers.items() if k.lower() != "content-type"}
    return Response(page.status, {**headers, "Content-Type": value}, page.body)


def charset(declared: str, encoding: str = "utf-8") -> Fault:
    """The real page encoded as `encoding` but declared as `declared` (header and meta tag)."""

    def fault(hit: Hit) -> Response:
        page = hit.normal()
        text = re.sub(r'charset="?utf-8"?', f'charset="{declared}"', page.body.decode("utf-8"))
        body = text.encode(encoding, "replace")
        return _with_type(page._replace(body=body), f"text/html; charset={declared}")

    return fault


def redirect(to: Callable[[Hit], str], code: int = 302) -> Fault:
    return lambda hit: Response(code, {"Location": to(hit), "Content-Type": TEXT}, b"moved\n")


def meta_refresh(to: Callable[[Hit], str]) -> Fault:
    """The real page with `<meta http-equiv="refresh" content="0; url=...">` at the top of its head
    (a moved article whose old address still answers 200)."""

    def fault(hit: Hit) -> Response:
        page = hit.normal()
        tag = f'<meta http-equiv="refresh" content="0; url={to(hit)}">'.encode()
        return page._replace(body=page.body.replace(b"<head>", b"<head>" + tag, 1))

    return fault


def redirect_loop() -> Fault:
    """A redirect back to the URL itself (a misconfigured canonical rule)."""
    return redirect(lambda hit: hit.base_url + hit.target)


def empty() -> Fault:
    return lambda hit: Response(200, {"Content-Type": HTML}, b"")


def huge(size: int, declared: bool = True) -> Fault:
    """A `size`-byte HTML page, streamed: never held in memory. Undeclared: no Content-Length,
    the end of the body is the end of the connection."""

    def fault(hit: Hit) -> Response:
        headers = {"Content-Type": HTML, **({"Content-Length": str(size)} if declared else {})}
        return Response(200, headers, streamed(size))  # type: ignore[arg-type]

    return fault


def streamed(size: int, prefix: bytes = b"<html><body><p>", filler: bytes = b"x" * CHUNK) -> Iterator[bytes]:
    yield prefix
    sent = len(prefix)
    while sent < size:
        part = filler[: size - sent]
        yield part
        sent += len(part)


@cache
def bomb_body(size: int) -> bytes:
    """gzip of `size` zero bytes (about size/1000 bytes on the wire), built without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(CHUNK)
    parts = [packer.compress(zeros[: min(CHUNK, size - done)]) for done in range(0, size, CHUNK)]
    return b"".join(parts) + packer.flush()


def gzip_bomb(size: int) -> Fault:
    headers = {"Content-Type": HTML, "Content-Encoding": "gzip"}
    return lambda hit: Response(200, headers, bomb_body(size))


# -- the --faults syntax ---------------------------------------------------------------------------
