"""Serve a replica portal until Ctrl-C: `python -m scraper.replica --articles 5000 --port 8000`
(the same as `scraper replica`); `--portal detik`: any portal with rules and a fixture (family.py)."""

from __future__ import annotations

import argparse

from scraper.errors import ConfigError
from scraper.replica.serving import serve_until_stopped


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
    try:
        serve_until_stopped(
            args.articles, args.seed, args.host, args.port, args.faults, lambda line: print(line, flush=True),
            portal=args.portal,
        )  # fmt: skip
    except ConfigError as exc:
        parser.error(str(exc))
    except ValueError as exc:
        parser.error(f"--faults: {exc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
