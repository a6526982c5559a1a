"""For Scrapy projects of others: the cleaning as an item pipeline (`pipeline.CleanArticlePipeline`)
and settings for running our portal spiders with plain `scrapy crawl` (`settings`)."""
