"""The health report: one self-contained HTML page (inline SVG charts, no script, no network) of a
crawl output folder: articles per day per portal, rejects and failures by reason per run, field
coverage and drift per run (when the run reports carry them), run durations and speed.

`collect` reads the folder (run reports, and the article files counted line by line, never parsed
whole); `page.render` draws it.
"""
