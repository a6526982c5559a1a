"""A per-page wall-clock limit for CPU-bound cleaning, by SIGALRM where the platform allows it.

Cleaning runs in the main thread of the CLI process or of a worker process, where a signal can
interrupt a parser stuck on hostile markup; elsewhere (other threads) the limit is not enforced and
the caller's process-level timeout is the backstop.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class PageTimeout(Exception):
    pass


RETRY_SECONDS = 0.1


def _raise_timeout(signum: int, frame: object) -> None:
    raise PageTimeout


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    usable = (
        seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    # The alarm repeats until the page is done: code under the limit can swallow one (a broad
    # `except Exception`, or a gc callback, whose exceptions Python ignores), and the page would
    # then run unbounded.
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_SECONDS)
    try:
        yield
    finally:
        _disarm(previous)


def _disarm(previous: object) -> None:
    """Stop the alarm and put the previous handler back, even if a last alarm interrupts this."""
    while True:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)  # type: ignore[arg-type]
            return
        except PageTimeout:
            continue  # an alarm already on its way: the timer is stopped by the next pass
