"""Run a command and measure what it cost: wall time, CPU of the process and of its children
(exact, not sampled), and peak memory, for the benchmarks that compare whole programs.

CPU comes from the finished process's own /proc entry: the command is waited for without being
reaped (waitid with WNOWAIT), so its final utime/stime (its own) and cutime/cstime (its children,
e.g. the crawl's cleaning processes, once it has waited for them) can still be read. Peak RSS is
each process's kernel high-water mark (VmHWM), read every POLL seconds while it runs.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

POLL = 0.1
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    seconds: float  # launch to exit
    cpu: float  # seconds of CPU, the process itself
    children_cpu: float  # seconds of CPU of the children it waited for
    peak_kb: int  # the process's peak RSS
    children_peak_kb: int  # sum over its children of each one's peak RSS
    largest_child_kb: int
    stderr: str
    returncode: int

    @property
    def total_cpu(self) -> float:
        return self.cpu + self.children_cpu

    @property
    def total_peak_mb(self) -> float:
        return (self.peak_kb + self.children_peak_kb) / 1024


def peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_fields(pid: int) -> tuple[float, float] | None:
    """(own utime + stime, waited-for children's cutime + cstime) in seconds; None once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / TICK
    return own, (int(fields[13]) + int(fields[14])) / TICK


def run_measured(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Usage:
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    os.set_blocking(process.stderr.fileno(), False)  # drained while polling: a full pipe would block it
    stderr, peak, child_peaks = bytearray(), 0, {}
    while os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        peak = max(peak, peak_rss_kb(process.pid))
        for child in children(process.pid):
            child_peaks[child] = max(child_peaks.get(child, 0), peak_rss_kb(child))
        stderr += process.stderr.read() or b""
        time.sleep(POLL)
    seconds = time.monotonic() - started
    cpu, children_cpu = cpu_fields(process.pid) or (0.0, 0.0)  # a zombie still has its /proc entry
    process.wait()
    stderr += process.stderr.read() or b""
    return Usage(
        seconds, cpu, children_cpu, peak, sum(child_peaks.values()), max(child_peaks.values(), default=0),
        stderr.decode(errors="replace"), process.returncode,
    )  # fmt: skip
