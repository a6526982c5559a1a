"""Settings for running our portal spiders with plain `scrapy crawl`, in your Scrapy project:

    # settings.py of your project
    from scraper.integrations.settings import *  # noqa: F403
    SPIDER_MODULES = ["yourproject.spiders", *SPIDER_MODULES]

    $ scrapy crawl viva -a base_url=http://127.0.0.1:8000 -a max_articles=50 -O viva.jsonl

(or only the two settings that matter: SPIDER_MODULES with "spiders", and the pipeline.) Without our
CLI there is no state store: no "seen before" across runs, no headline index, failures only in the
stats and the log. For those, run `scraper crawl`.
"""

from __future__ import annotations

from scraper.crawl.engine import USER_AGENT as _USER_AGENT

SPIDER_MODULES = ["spiders"]  # spiders.viva.VivaSpider ("viva") and every portal spider beside it
ITEM_PIPELINES = {"scraper.integrations.pipeline.CleanArticlePipeline": 300}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # the pipeline needs it
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
CONCURRENT_REQUESTS_PER_DOMAIN = 8
USER_AGENT = _USER_AGENT
# Scrapy's default queue is LIFO; articles are released newest first and should be fetched so.
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
FEED_EXPORT_ENCODING = "utf-8"
