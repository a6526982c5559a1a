"""Serve a replica portal until Ctrl-C: `python -m scraper.replica --articles 5000 --port 8000`
(VIVA's), `--portal detik` (any portal with rules and a fixture, see family.py)."""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading

from scraper.errors import ConfigError
from scraper.replica.family import FamilySite
from scraper.replica.family_layout import FamilyLayout
from scraper.replica.fault_spec import parse_faults
from scraper.replica.server import ReplicaPortal
from scraper.replica.site import ReplicaSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scraper.replica", description=__doc__)
    parser.add_argument("--articles", type=int, default=1_000, help="number of articles")
    parser.add_argument("--seed", type=int, default=1, help="content seed (same seed, same site)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (loopback only)")
    parser.add_argument("--port", type=int, default=8000, help="port, 0 for any free port")
    parser.add_argument("--portal", default="viva", help="portal to imitate (default viva)")
    parser.add_argument(
        "--faults",
        default="",
        help="fault plan, e.g. transient:0.1:seed=7 or hostile (see scraper.replica.fault_spec.parse_faults)",
    )
    args = parser.parse_args(argv)
    if args.portal != "viva":
        if args.faults:
            parser.error("--faults: only with the VIVA replica")
        try:
            family = FamilyLayout(FamilySite(args.portal, args.articles, seed=args.seed))
        except ConfigError as exc:
            parser.error(str(exc))
        with ReplicaPortal(family, host=args.host, port=args.port) as portal:
            print(
                f"Serving {len(family)} {args.portal} articles (seed {args.seed}) at {portal.base_url}",
                flush=True,
            )
            return _wait()
    site = ReplicaSite(args.articles, seed=args.seed)
    try:
        plan = parse_faults(args.faults, site)
    except ValueError as exc:
        parser.error(f"--faults: {exc}")
    with plan.serve(site, host=args.host, port=args.port) as portal:
        print(f"Serving {len(site)} articles (seed {args.seed}) at {portal.base_url}", flush=True)
        print(f"  {portal.base_url}/sitemap.xml  {portal.base_url}/indeks  {portal.base_url}/rss", flush=True)
        if args.faults:
            print(f"  faults: {args.faults}", flush=True)
        return _wait()


def _wait() -> int:
    done = threading.Event()
    # SIGTERM too, so benchmark scripts can stop it cleanly and release the port.
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the normal way to stop
        done.wait()  # the server runs on its own thread; this one only waits to be stopped
    print("Stopping.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
