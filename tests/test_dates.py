"""Dates in the English forms that machine-readable metadata and English-language sites use are read
directly, as dateparser reads them (the wall clock; a zone after the time is dropped), without
loading dateparser: its first call in a process costs ~0.1 s."""

from __future__ import annotations

import pytest

from cleaners import dates
from cleaners.dates import to_iso

WRITTEN = {
    "Mon, 18 Nov 2019 16:07:38 -0600": "2019-11-18T16:07:38",
    "19 Nov 2019 07:09 GMT": "2019-11-19T07:09:00",
    "November 19, 2019, 07:47 PM EST": "2019-11-19T19:47:00",
    "Tue Nov 19 2019 03:05:46 GMT+0000": "2019-11-19T03:05:46",
    "Nov. 19, 2019": "2019-11-19T00:00:00",
    "October 3, 2019 at 12:15 a.m.": "2019-10-03T00:15:00",
    "Fri 6:45 PM, Feb 16, 2018": "2018-02-16T18:45:00",
    "2019-11-18 17:19:53 GMT": "2019-11-18T17:19:53",
}


def _no_dateparser(zone: str | None) -> None:
    raise AssertionError("dateparser was used")


@pytest.mark.parametrize(("written", "expected"), WRITTEN.items())
def test_english_dates_are_read_without_dateparser(
    written: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dates, "_date_parser", _no_dateparser)
    assert to_iso(written) == expected


@pytest.mark.parametrize("written", WRITTEN)
def test_direct_reading_agrees_with_dateparser(written: str) -> None:
    assert dates._written_date(written) == dates._date_parser(None).get_date_data(written).date_obj


def test_what_is_no_date_still_goes_to_dateparser() -> None:
    assert dates._written_date("Feb 30, 2020") is None
    assert dates._written_date("13:00 PM, Feb 16, 2018") is None  # no such 12-hour time
    assert to_iso("Aug 9, 2022, 4:05 p.m. ET") == "2022-08-09T16:05:00"  # a form read by dateparser
