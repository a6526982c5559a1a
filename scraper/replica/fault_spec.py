"""The `--faults` syntax of `python -m scraper.replica`: a fault plan from one line of text."""

from __future__ import annotations

from collections.abc import Callable

from scraper.replica.faults import (
    Fault,
    FaultPlan,
    Rule,
    empty,
    missing,
    reset,
    server_error,
    slow,
    too_many_requests,
    transient,
    truncated,
    under,
)
from scraper.replica.hostile import hostile_rules
from scraper.replica.site import ReplicaSite

_SIMPLE: dict[str, Callable[[dict[str, str]], Fault]] = {
    "transient": lambda o: transient(),
    "5xx": lambda o: server_error(),
    "reset": lambda o: reset(),
    "429": lambda o: too_many_requests(int(o.get("retry_after", "1"))),
    "slow": lambda o: slow(float(o.get("seconds", "5"))),
    "truncated": lambda o: truncated(),
    "empty": lambda o: empty(),
    "404": lambda o: missing(),
}


def parse_faults(spec: str, site: ReplicaSite) -> FaultPlan:
    """`NAME[:RATE][:KEY=VALUE...]`, several joined by commas; `hostile` for the hostile scenario.

    Names: transient (500/502/503/reset; by default only the first 2 attempts of a URL fail, so
    retries recover), 5xx, reset, 429 (retry_after=N), slow (seconds=N), truncated, empty, 404.
    Keys: seed=N (the plan's seed), attempts=N, path=PREFIX (only targets under it).
    Example: transient:0.1:seed=7,slow:0.01:seconds=3
    """
    rules, seed = [], 0
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, *rest = part.split(":")
        options = dict(item.split("=", 1) for item in rest if "=" in item)
        rates = [item for item in rest if "=" not in item]
        seed = int(options.get("seed", seed))
        if name == "hostile":
            rules.extend(hostile_rules(site))
            continue
        if name not in _SIMPLE:
            raise ValueError(f"unknown fault {name!r}; known: hostile, {', '.join(_SIMPLE)}")
        attempts = options.get("attempts", "2" if name == "transient" else "")
        rules.append(Rule(
            _SIMPLE[name](options), under(options.get("path", "/")), float(rates[0]) if rates else 1.0,
            int(attempts) if attempts else None, name,
        ))  # fmt: skip
    return FaultPlan(*rules, seed=seed)
