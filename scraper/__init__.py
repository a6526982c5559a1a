"""News-portal scraping and cleaning pipeline: fetch, strip boilerplate and teasers, write JSON lines.

The HTML -> article library is `cleaners` (usable on its own); this package runs it: the CLI
(scraper.cli), crawls (scraper.crawl, scraper.distributed), one-off scrapes and saved pages
(scraper.offline), datasets (scraper.export), evaluation and the replica portal.
"""

__version__ = "0.1.0"
