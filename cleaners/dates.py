"""Dates to ISO 8601 with offset. Indonesian zone names are mapped; dateparser reads the words.

"Kamis, 14 September 2023 - 10:15 WIB" -> "2023-09-14T10:15:00+07:00".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from functools import cache

import dateparser

_ZONES = {"WIB": "+07:00", "WITA": "+08:00", "WIT": "+09:00"}
_ZONE_WORD = re.compile(r"\b(WIB|WITA|WIT)\b")
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_SETTINGS = {"RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first", "DATE_ORDER": "DMY"}


@cache
def _tz(offset: str) -> timezone:
    match = _OFFSET.match(offset)
    if not match:
        raise ValueError(f"bad UTC offset {offset!r}")
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-delta if sign == "-" else delta)


def to_iso(value: str | None, default_offset: str | None = None) -> str | None:
    """Parse a machine or human date; attach default_offset when the value carries none."""
    if not value or not value.strip():
        return None
    value = value.strip()
    parsed = _parse_iso(value)
    if parsed is None:
        parsed, default_offset = _parse_human(value, default_offset)
    if parsed is None:
        return None
    if default_offset:
        # Naive dates are local to the portal; aware ones are shown in the portal's zone too, so
        # records of one portal read alike (the instant is unchanged).
        zone = _tz(default_offset)
        try:
            parsed = parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed.astimezone(zone)
        except OverflowError:
            return None  # see _representable
    return parsed.isoformat(timespec="seconds") if _representable(parsed) else None


def _representable(when: datetime) -> bool:
    """False for a date that some time zone cannot hold (0001-01-01T00:00:00+14:00 is in year 0
    in UTC): it is no date, rather than an error wherever it is converted later."""
    try:
        in_utc = when.astimezone(UTC) if when.tzinfo else when
    except OverflowError:
        return False
    return datetime.min + timedelta(days=1) <= in_utc.replace(tzinfo=None) <= datetime.max - timedelta(days=1)


def declared_offset(values: list[str | None]) -> str | None:
    """The UTC offset the page itself declares: that of the first machine-readable date on it
    that carries one ("+02:00"). Used for the page's dates that carry none."""
    for value in values:
        parsed = _parse_iso(value.strip()) if value else None
        offset = parsed.utcoffset() if parsed is not None else None
        if offset is not None:
            minutes = int(offset.total_seconds()) // 60
            sign = "-" if minutes < 0 else "+"
            return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return None


def is_midnight(value: str) -> bool:
    """A date printed without a time reads as midnight: it says nothing about the hour."""
    return value[10:19] == "T00:00:00"


def _parse_iso(value: str) -> datetime | None:
    candidate = value.replace("Z", "+00:00") if value.endswith("Z") else value
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def _parse_human(value: str, zone: str | None) -> tuple[datetime | None, str | None]:
    if match := _ZONE_WORD.search(value):
        zone = _ZONES[match.group(1)]
        value = _ZONE_WORD.sub(" ", value)
    value = " ".join(value.replace("|", " ").split())
    if len(value) > 80:
        return None, None  # a paragraph, not a date: dateparser would search it slowly
    # A parser per zone costs tens of milliseconds to build: the named zones (WIB, WITA, WIT) get
    # theirs, for relative dates; any other offset (one a page declares) is attached after parsing.
    parser = _date_parser(zone if zone in _ZONES.values() else None)
    parsed = _printed_date(value) or parser.get_date_data(value).date_obj
    if parsed is None:
        return None, None
    return parsed, zone


# The day-first forms portals print on every article ("Kamis, 14 September 2023 - 10:15",
# "Sabtu, 10 Des 2022 07:16", "05/11/2015 10:08"): read directly, because dateparser spends
# about 5 ms on each and every page has one. Anything else goes to dateparser.
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "januari january jan", "februari february feb", "maret march mar", "april apr",
            "mei may", "juni june jun", "juli july jul", "agustus august agu agt aug",
            "september sep sept", "oktober october okt oct", "november nov nop",
            "desember december des dec",
        ),
        start=1,
    )
    for name in names.split()
}  # fmt: skip
_PRINTED = re.compile(
    r"^(?:[^\W\d]+,?\s+)?(\d{1,2})[\s/.-]+([^\W\d_]+|\d{1,2})[\s/.-]+(\d{4})"
    r"(?:[\s,-]+(?:pukul\s+)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$",
    re.IGNORECASE,
)


def _printed_date(value: str) -> datetime | None:
    match = _PRINTED.match(value)
    if not match:
        return None
    day, month_text, year, hour, minute, second = match.groups()
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower())
    if month is None:
        return None
    try:
        return datetime(int(year), month, int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None


@cache
def _date_parser(zone: str | None) -> dateparser.DateDataParser:
    # One parser per zone for the process: dateparser.parse() with options builds a new one per
    # call, which costs tens of milliseconds each time. With a zone, relative dates ("kemarin",
    # "2 jam lalu") are counted from the current time in that zone, not the machine's.
    settings: dict[str, object] = dict(_SETTINGS)
    if zone:
        settings.update(TIMEZONE=zone, TO_TIMEZONE=zone, RETURN_AS_TIMEZONE_AWARE=True)
    return dateparser.DateDataParser(languages=["id", "en"], settings=settings)
