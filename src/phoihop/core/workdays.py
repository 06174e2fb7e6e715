"""Working days in Vietnam: weekends and public holidays (Tết included) are skipped.

Holidays come from the `holidays` package. Where the government moved a day off
and made a Saturday a working day in exchange ("substituted from dd/mm/yyyy"),
that Saturday counts as a working day.
"""

import datetime as dt
import re
from functools import lru_cache

import holidays

_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


@lru_cache(maxsize=64)
def _year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(days off, Saturdays worked) for one year."""
    calendar = holidays.country_holidays("VN", years=[year - 1, year, year + 1], language="en_US")
    days_off = set()
    worked = set()
    for day, name in calendar.items():
        days_off.add(day)
        for match in _SUBSTITUTED.finditer(name):
            month, dom, yr = (int(g) for g in match.groups())
            worked.add(dt.date(yr, month, dom))
    return frozenset(d for d in days_off if d.year == year), frozenset(
        d for d in worked if d.year == year
    )


def is_working_day(day: dt.date) -> bool:
    days_off, worked = _year(day.year)
    if day in worked:
        return True
    return day.weekday() < 5 and day not in days_off


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself not counted)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
