"""Serve a replica portal in the foreground until Ctrl-C or SIGTERM (`scraper replica`, and
`python -m scraper.replica`)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable

from scraper.replica.family import FamilySite
from scraper.replica.family_layout import FamilyLayout
from scraper.replica.fault_spec import parse_faults
from scraper.replica.server import ReplicaPortal
from scraper.replica.site import ReplicaSite


def serve_until_stopped(
    articles: int, seed: int, host: str, port: int, faults: str, say: Callable[[str], None],
    portal: str = "viva",
) -> None:  # fmt: skip
    """Serve; `say` gets the start-up lines (address, entry points). ValueError for a bad fault
    plan; OSError when the port cannot be bound; ConfigError for a portal without rules or
    fixture. A portal other than VIVA is its family replica (family.py), without faults."""
    if portal != "viva":
        if faults:
            raise ValueError("faults are served by the VIVA replica only")
        family = FamilyLayout(FamilySite(portal, articles, seed=seed))
        with ReplicaPortal(family, host=host, port=port) as server:
            say(f"Serving {len(family)} {portal} articles (seed {seed}) at {server.base_url}")
            say(f"  crawl it: scraper crawl {portal} --base-url {server.base_url} --delay 0")
            _wait(say)
        return
    site = ReplicaSite(articles, seed=seed)
    plan = parse_faults(faults, site)
    with plan.serve(site, host=host, port=port) as server:
        say(f"Serving {len(site)} articles (seed {seed}) at {server.base_url}")
        say(f"  {server.base_url}/sitemap.xml  {server.base_url}/indeks  {server.base_url}/rss")
        say(f"  crawl it: scraper crawl viva --base-url {server.base_url} --delay 0")
        if faults:
            say(f"  faults: {faults}")
        _wait(say)


def _wait(say: Callable[[str], None]) -> None:
    """Until Ctrl-C or SIGTERM: the server runs on its own thread; this one only waits."""
    done = threading.Event()
    # SIGTERM too, so benchmark scripts can stop it cleanly and release the port.
    previous = signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the normal way to stop
            done.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
    say("Stopping.")
