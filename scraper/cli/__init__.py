"""The `scraper` command line (scraper.cli.app); `python -m scraper.cli` runs it too."""
