"""Distributed crawl on Redis: one worker vs two, the shared duplicate filter's memory, and what
more machines should give; or (--kill) exactly-once output when a worker is killed mid-crawl.

    python benchmarks/bench_distributed.py [--articles 5000] [--latency 0 20] [--concurrency 8]
                                           [--fingerprints 1000000] [--redis redis://HOST:PORT/DB]
    python benchmarks/bench_distributed.py --kill [--seed 1] [--no-restart] [--articles 5000]
                                           [--concurrency 16]

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

--kill: `crawl --redis` plus one `scraper worker` (--jobs 1, --delay 0 each) crawl the replica;
the worker is SIGKILLed once a seeded random share (10% to 70%) of the articles is claimed, and
restarted under its id once its heartbeat has expired (--no-restart: left dead; the coordinator
takes back what it held). Then `scraper merge`, and the count: every article exactly once, with its
gold text, and no torn line. tests/test_distributed.py runs the same procedure.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scraper.distributed.request_codec import SECRET_ENV
from scraper.replica import ReplicaPortal, ReplicaSite, Response
from scraper.replica.pages import rendered_articles

REPO = Path(__file__).resolve().parents[1]
RUN_SECRET = os.urandom(16).hex()


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
    # The job's shared secret: the one given, else one for this run (every process gets the same).
    env = {**os.environ, "PYTHONPATH": str(REPO), SECRET_ENV: os.environ.get(SECRET_ENV) or RUN_SECRET}
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
    extra = [
        cli("worker", "viva", "--base-url", base_url, *common, "--idle-exit", "2") for _ in range(workers - 1)
    ]
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


def kill_run(
    portal: ReplicaPortal, url: str, out: Path, seed: int, concurrency: int = 16, restart: bool = True,
    timeout: float = 600,
) -> dict[str, Any]:  # fmt: skip
    """Coordinator + worker "victim"; SIGKILL the victim at a seeded random moment; merge; count."""
    client = redis.Redis.from_url(url)
    client.flushdb()
    target = int(len(portal.site) * random.Random(seed).uniform(0.1, 0.7))
    common = ("-o", str(out), "--redis", url, "--jobs", "1", "--concurrency", str(concurrency),
              "--delay", "0", "-q")  # fmt: skip
    victim_args = ("worker", "viva", "--base-url", portal.base_url, *common, "--worker-id", "victim",
                   "--heartbeat", "2", "--idle-exit", "2")  # fmt: skip
    started, deadline = time.monotonic(), time.monotonic() + timeout
    processes = [cli("crawl", "viva", "--base-url", portal.base_url, *common), cli(*victim_args)]
    try:
        while client.hlen("news:viva:done") < target:
            if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
                raise RuntimeError("the crawl ended or timed out before the kill")
            time.sleep(0.01)
        held = client.zcard("news:viva:processing:victim")
        processes[1].kill()
        processes[1].wait()
        kill = {
            "seed": seed, "killed_after_s": time.monotonic() - started, "held_at_kill": held,
            "claims_at_kill": client.hlen("news:viva:done"), "victim_lines_at_kill": _lines(out, "victim"),
        }  # fmt: skip
        if restart:  # its id is free again once its heartbeat has expired
            while client.exists("news:viva:hb:victim"):
                time.sleep(0.05)
            processes.append(cli(*victim_args))
        errors = [p.communicate(timeout=max(1.0, deadline - time.monotonic()))[1] for p in processes]
        seconds = time.monotonic() - started
        if processes[0].returncode != 0 or processes[-1].returncode != (0 if restart else -9):
            raise RuntimeError(f"crawl failed: {b' '.join(errors).decode()[-3000:]}")
    finally:
        for process in processes:  # on a failure: nothing left running
            if process.poll() is None:
                process.kill()
                process.wait()
    merged = cli("merge", "viva", str(out), "--redis", url)
    if merged.wait(timeout=timeout) != 0:
        raise RuntimeError(f"merge failed: {merged.communicate()[1].decode()}")
    reports = [orjson.loads(path.read_bytes())["counts"] for path in (out / "viva").glob("run-*.json")]
    after = {key: sum(r.get(key, 0) for r in reports) for key in ("requeued", "reconciled", "recovered_cut")}
    # Left dead, the victim's last line may stay torn in its own file: merge skips it, as it should.
    counted = count_output(out, portal, worker_files=restart)
    return {**kill, **after, **counted, "seconds": seconds, "restarted": restart}


def _lines(out: Path, worker: str = "*") -> int:
    return sum(len(p.read_bytes().splitlines()) for p in (out / "viva").glob(f"2*.{worker}.jsonl"))


def count_output(out: Path, portal: ReplicaPortal, worker_files: bool = True) -> dict[str, int]:
    """The merged output against the replica: duplicates, missing, wrong text; torn lines in it
    (and in the workers' files)."""
    gold = {portal.base_url + article.path: article.body_text for article in portal.site.iter_articles()}
    records, torn = _parse((out / "merged" / "viva").glob("*.jsonl"))
    torn += _parse((out / "viva").glob("2*.*.jsonl"))[1] if worker_files else 0
    counts = Counter(record["url"] for record in records)
    return {
        "articles": len(gold),
        "worker_lines": _lines(out),
        "merged": len(records),
        "duplicates": sum(n - 1 for n in counts.values()),
        "missing": len(gold.keys() - counts.keys()),
        "unknown": len(counts.keys() - gold.keys()),
        "wrong_text": sum(record["text"] != gold.get(record["url"]) for record in records),
        "torn": torn,
    }


def _parse(paths: Any) -> tuple[list[dict[str, Any]], int]:
    """The records in the JSON lines files `paths`, and the number of lines that do not parse."""
    records, torn = [], 0
    for path in paths:
        for line in path.read_bytes().splitlines():
            try:
                records.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                torn += 1
    return records, torn


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
    parser.add_argument("--kill", action="store_true", help="kill a worker mid-crawl; count the output")
    parser.add_argument("--seed", type=int, default=1, help="--kill: seed of the kill moment")
    parser.add_argument("--no-restart", action="store_true", help="--kill: leave the killed worker dead")
    args = parser.parse_args()
    if args.kill:
        return main_kill(args)
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


def main_kill(args: argparse.Namespace) -> None:
    concurrency = args.concurrency if "--concurrency" in sys.argv else 16
    with tempfile.TemporaryDirectory() as tmp:
        server, url = (None, args.redis) if args.redis else start_redis(Path(tmp))
        try:
            with ReplicaPortal(ReplicaSite(args.articles, seed=1)) as portal:
                run = kill_run(portal, url, Path(tmp), args.seed, concurrency, not args.no_restart)
        finally:
            if server is not None:
                server.terminate()
                server.wait()
    print(f"replica: {run['articles']} articles; crawl --redis + 1 worker, --jobs 1 --concurrency "
          f"{concurrency} --delay 0 each; {os.cpu_count()} cores")  # fmt: skip
    print(f"kill (seed {run['seed']}): SIGKILL of the worker {run['killed_after_s']:.1f}s after the launch, "
          f"at {run['claims_at_kill']} claims, holding {run['held_at_kill']} requests, "
          f"{run['victim_lines_at_kill']} lines in its files; " + ("restarted under its id once its "
          "heartbeat expired" if run["restarted"] else "not restarted"))  # fmt: skip
    settled = (f"; the restarted worker claimed {run['reconciled']} unclaimed lines of its files and cut "
               f"{run['recovered_cut']}" if run["restarted"] else "")  # fmt: skip
    print(f"after the kill: {run['requeued']} requests it held requeued (by the survivor, or by itself "
          f"on restart){settled}")  # fmt: skip
    print(f"crawl {run['seconds']:.1f}s; lines in worker files {run['worker_lines']}; "
          f"merged {run['merged']}: "
          f"duplicates {run['duplicates']}, missing {run['missing']}, unknown {run['unknown']}, "
          f"wrong text {run['wrong_text']}, torn lines {run['torn']}")  # fmt: skip
    bad = run["duplicates"] + run["missing"] + run["unknown"] + run["wrong_text"] + run["torn"]
    sys.exit(1 if bad or run["merged"] != run["articles"] else 0)


def crawl_pair(args: argparse.Namespace, url: str, latency: float, tmp: Path) -> dict[int, dict[str, float]]:
    site = ReplicaSite(args.articles, seed=1)
    with ReplicaPortal(site) as portal:
        rendered = rendered_articles(site, portal.base_url)  # see there: the portal's CPU is not ours

        def article(target: str) -> Response | None:
            if latency and "page=" in target:
                time.sleep(latency / 1000)
            return rendered.get(target)

        portal.faults = article
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
