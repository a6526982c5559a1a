"""Distributed crawl on Redis: one worker vs two, the shared duplicate filter's memory, and what
more machines should give.

    python benchmarks/bench_distributed.py [--articles 5000] [--latency 0 20] [--concurrency 8]
                                           [--fingerprints 1000000] [--redis redis://HOST:PORT/DB]

Serves a replica of N articles on loopback and crawls it twice through the CLI, each process
limited to one cleaning process (--jobs 1): `crawl --redis` alone, then `crawl --redis` plus one
`scraper worker`. A job's time runs from the launch to the coordinator's exit (it exits when the
job is done: nothing queued, in flight or being discovered), so process start-up and discovery are
included. --latency adds that many ms to every article response, one pair of runs per value: 0
makes the crawl CPU-bound (both workers then share this machine's cores), 20 is closer to a real
portal, where one worker's AutoThrottle (about one request in flight) keeps its cleaner waiting.

Then: Redis memory of the duplicate filter per million fingerprints (sha1 hex, as scrapy-redis
stores them; inserted into an empty database, INFO used_memory before and after), the Redis memory
of the crawl's own state per article, and Redis CPU and commands per article, from which the
number of workers one Redis instance can serve follows. Without --redis a redis-server is
started on a free loopback port and stopped at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scraper.replica import ReplicaPortal, ReplicaSite, Response

REPO = Path(__file__).resolve().parents[1]


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server not found: apt-get install redis-server, or pass --redis")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)], stdout=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return server, f"redis://127.0.0.1:{port}/0"
        except redis.ConnectionError:
            time.sleep(0.1)
    server.kill()
    sys.exit("redis-server did not start")


def cli(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "scraper.cli", *args]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def redis_cpu(client: redis.Redis) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def processes_cpu() -> float:
    """CPU seconds of this process (the replica's threads) and of its finished children (the
    crawl processes and, through them, their cleaning processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_job(base_url: str, url: str, workers: int, concurrency: int, out: Path) -> dict[str, float]:
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.config_resetstat()
    cpu, machine = redis_cpu(client), processes_cpu()
    common = ("-o", str(out), "--redis", url, "--jobs", "1", "--concurrency", str(concurrency),
              "--delay", "0", "-q")  # fmt: skip
    started = time.monotonic()
    coordinator = cli("crawl", "viva", "--base-url", base_url, *common)
    extra = [cli("worker", "viva", *common, "--idle-exit", "2") for _ in range(workers - 1)]
    _, stderr = coordinator.communicate()
    seconds = time.monotonic() - started
    for process in extra:
        process.wait()
    if coordinator.returncode != 0:
        sys.exit(f"crawl failed: {stderr.decode()[-2000:]}")
    written = sum(len(p.read_bytes().splitlines()) for p in (out / "viva").glob("2*.*.jsonl"))
    redis_seconds = redis_cpu(client) - cpu
    total_seconds = processes_cpu() - machine + redis_seconds  # workers, cleaners, replica, Redis
    state_memory = sum(  # after the run: what a job leaves in Redis
        client.memory_usage(f"news:viva:{key}") or 0
        for key in ("done", "content", "headlines", "headline_keys", "dupefilter")
    )
    return {
        "seconds": seconds,
        "written": written,
        "rate": written / seconds,
        "redis_cpu_ms": redis_seconds * 1000 / max(written, 1),
        "cpu_ms": total_seconds * 1000 / max(written, 1),
        "commands": client.info("stats")["total_commands_processed"] / max(written, 1),
        "state_bytes": state_memory / max(written, 1),
    }


def dupefilter_memory(url: str, count: int) -> float:
    """Bytes of Redis memory per fingerprint in a set of `count` sha1 hex strings."""
    client = redis.Redis.from_url(url)
    client.flushdb()
    before = client.info("memory")["used_memory"]
    batch = 10_000
    for start in range(0, count, batch):
        pipe = client.pipeline(transaction=False)
        members = [hashlib.sha1(str(i).encode()).hexdigest() for i in range(start, min(count, start + batch))]
        pipe.sadd("news:viva:dupefilter", *members)
        pipe.execute()
    used = client.info("memory")["used_memory"] - before
    client.flushdb()
    return used / count


def round_trip_ms(url: str, count: int = 2000) -> float:
    client = redis.Redis.from_url(url)
    started = time.perf_counter()
    for _ in range(count):
        client.ping()
    return (time.perf_counter() - started) * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 20.0],
                        help="ms added to each article response; one pair of runs per value")  # fmt: skip
    parser.add_argument("--concurrency", type=int, default=8, help="parallel requests per process")
    parser.add_argument("--fingerprints", type=int, default=1_000_000)
    parser.add_argument("--redis", help="use this Redis (its database is flushed!)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        server, url = (None, args.redis) if args.redis else start_redis(Path(tmp))
        try:
            runs = {latency: crawl_pair(args, url, latency, Path(tmp)) for latency in args.latency}
            per_fingerprint = dupefilter_memory(url, args.fingerprints)
            rtt = round_trip_ms(url)
        finally:
            if server is not None:
                server.terminate()
                server.wait()
    print(f"replica: {args.articles} articles; --jobs 1, --concurrency {args.concurrency} per process; "
          f"{os.cpu_count()} cores; load average {load:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")  # fmt: skip
    for latency, pair in runs.items():
        report_pair(latency, pair)
    report_redis(args, runs, per_fingerprint, rtt)


def crawl_pair(args: argparse.Namespace, url: str, latency: float, tmp: Path) -> dict[int, dict[str, float]]:
    def slow(target: str) -> Response | None:
        if "page=" in target:
            time.sleep(latency / 1000)
        return None

    site = ReplicaSite(args.articles, seed=1)
    with ReplicaPortal(site, faults=slow if latency else None) as portal:
        folders = {n: tmp / f"out-{latency:g}-{n}" for n in (1, 2)}
        return {n: run_job(portal.base_url, url, n, args.concurrency, out) for n, out in folders.items()}


def report_pair(latency: float, runs: dict[int, dict[str, float]]) -> None:
    print(f"\narticle responses +{latency:g} ms")
    print(f"{'processes':<11}{'written':>8}{'seconds':>9}{'articles/s':>12}{'CPU ms/art':>12}"
          f"{'Redis CPU ms/art':>18}{'cmds/art':>10}")  # fmt: skip
    for n, run in runs.items():
        print(f"{n:<11}{run['written']:>8.0f}{run['seconds']:>9.1f}{run['rate']:>12.1f}{run['cpu_ms']:>12.2f}"
              f"{run['redis_cpu_ms']:>18.3f}{run['commands']:>10.1f}")  # fmt: skip
    # All processes share this machine: its cores cap any number of workers at cores / CPU per article.
    ceiling = (os.cpu_count() or 1) * 1000 / runs[1]["cpu_ms"] / runs[1]["rate"]
    print(f"speed-up two vs one: {runs[2]['rate'] / runs[1]['rate']:.2f}x (bar: 1.60x); "
          f"this machine's CPU allows at most {ceiling:.2f}x over the one-worker run")  # fmt: skip


def report_redis(args: argparse.Namespace, runs: dict, per_fp: float, rtt: float) -> None:
    print(f"\nduplicate filter: {per_fp:.1f} bytes per fingerprint = {per_fp:.0f} MB per million URLs "
          f"(measured on {args.fingerprints:,} sha1 fingerprints)")  # fmt: skip
    first = runs[args.latency[0]]
    print(f"crawl state in Redis (claims, content hashes, headline index, filter): "
          f"{first[2]['state_bytes']:.0f} bytes per article")  # fmt: skip
    redis_ms = max(run[2]["redis_cpu_ms"] for run in runs.values())
    capacity = 1000 / max(redis_ms, 1e-6)
    print(f"Redis CPU per article {redis_ms:.3f} ms: one Redis core serves ~{capacity:,.0f} articles/s")
    for latency, pair in runs.items():
        rate = pair[1]["rate"]
        print(f"  +{latency:g} ms: {rate:.0f} articles/s per worker -> Redis saturates at "
              f"~{capacity / rate:.0f} workers")  # fmt: skip
    print(f"round trip on loopback {rtt:.3f} ms; a worker waits ~2 round trips per article (batched pop "
          f"with acks, claim): {2 * rtt:.2f} ms here, ~1 ms at a 0.5 ms LAN round trip")  # fmt: skip


if __name__ == "__main__":
    main()
