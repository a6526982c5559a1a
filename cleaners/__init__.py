"""HTML to clean article text. Pure functions: no network, no files (portal rules ship as package data)."""
