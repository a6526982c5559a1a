"""News-portal scraping and cleaning pipeline: fetch, strip boilerplate and teasers, write JSON lines."""

from scraper.types import SCHEMA_VERSION, Article, Page, Rejected

__all__ = ["SCHEMA_VERSION", "Article", "Page", "Rejected"]
__version__ = "0.1.0"
