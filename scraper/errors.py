"""The project's exception tree. Third-party errors are translated into these at the boundary.

    ScraperError
    ├── ConfigError        bad settings, bad CLI values, unknown portal
    ├── InputError         an input path or URL that cannot be read at all
    ├── FetchError         a one-off fetch failed (network, HTTP status, too large)
    └── CrawlLockedError   another crawl of the same portal holds the lock

Per-page problems are never exceptions: they become a `Rejected` record with a reason.
"""


class ScraperError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(ScraperError):
    pass


class InputError(ScraperError):
    pass


class FetchError(ScraperError):
    pass


class CrawlLockedError(ScraperError):
    pass
