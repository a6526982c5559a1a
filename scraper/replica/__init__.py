"""A local, generated VIVA-like news portal served on loopback, for tests, demos and benchmarks.

`ReplicaSite` generates the content (deterministic, lazy), `pages.route` renders any URL, and
`ReplicaPortal` serves it over HTTP. Run one by hand with `python -m scraper.replica --articles N`.
"""

from scraper.replica.feeds import Response
from scraper.replica.server import FaultHook, ReplicaPortal
from scraper.replica.site import ArticleRef, ReplicaArticle, ReplicaSite, TeaserKind

__all__ = [
    "ArticleRef",
    "FaultHook",
    "ReplicaArticle",
    "ReplicaPortal",
    "ReplicaSite",
    "Response",
    "TeaserKind",
]
