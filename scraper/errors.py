"""The project's exception tree. Third-party errors are translated into these at the boundary.

    ScraperError
    ├── ConfigError        bad settings, bad CLI values, unknown portal
    ├── InputError         an input path or URL that cannot be read at all
    ├── FetchError         a one-off fetch failed (network, HTTP status, too large)
    ├── CrawlLockedError   another crawl of the same portal holds the lock
    └── OutputError        an output file or the state could not be written (disk full, I/O error)

Per-page problems are never exceptions: they become a `Rejected` record with a reason.
"""


class ScraperError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(ScraperError):
    pass


class InputError(ScraperError):
    pass


class FetchError(ScraperError):
    """`reason`: the failure kind, as a crawl's failures.jsonl names it (dns, timeout, http_404...)."""

    def __init__(self, message: str, reason: str = "error") -> None:
        super().__init__(message)
        self.reason = reason


class CrawlLockedError(ScraperError):
    pass


class OutputError(ScraperError):
    """Writing output or state failed; `reason` is the run's finish reason: "disk_full" (no space
    or quota left) or "write_error" (any other failure to write)."""

    def __init__(self, message: str, reason: str = "write_error") -> None:
        super().__init__(message)
        self.reason = reason
