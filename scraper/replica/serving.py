"""Serve a replica portal in the foreground until Ctrl-C or SIGTERM (`scraper replica`, and
`python -m scraper.replica`)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable

from scraper.replica.fault_spec import parse_faults
from scraper.replica.site import ReplicaSite


def serve_until_stopped(
    articles: int, seed: int, host: str, port: int, faults: str, say: Callable[[str], None]
) -> None:
    """Serve; `say` gets the start-up lines (address, entry points). ValueError for a bad fault
    plan; OSError when the port cannot be bound."""
    site = ReplicaSite(articles, seed=seed)
    plan = parse_faults(faults, site)
    with plan.serve(site, host=host, port=port) as portal:
        say(f"Serving {len(site)} articles (seed {seed}) at {portal.base_url}")
        say(f"  {portal.base_url}/sitemap.xml  {portal.base_url}/indeks  {portal.base_url}/rss")
        say(f"  crawl it: scraper crawl viva --base-url {portal.base_url} --delay 0")
        if faults:
            say(f"  faults: {faults}")
        done = threading.Event()
        # SIGTERM too, so benchmark scripts can stop it cleanly and release the port.
        previous = signal.signal(signal.SIGTERM, lambda *_: done.set())
        try:
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the normal way to stop
                done.wait()  # the server runs on its own thread; this one only waits to be stopped
        finally:
            signal.signal(signal.SIGTERM, previous)
        say("Stopping.")
