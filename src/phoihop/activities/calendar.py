"""The activities calendar: month and week grids, and the conflicts between activities.

Pure reads over rows a caller has already restricted through the policy: nothing here
decides who sees what. A grid is built from a bounded number of queries whatever the
number of activities or days (the activities, their stops in the range, the measures).

A conflict is two activities that on one day use the same venue (itinerary stops whose
folded venue is equal, whatever the spelling) or need the same unit (a security
measure of that day, or of every day of its activity when it names no day). A
cancelled activity uses nothing and conflicts with nothing.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from django.db import models
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.models import Unit
from phoihop.activities.choices import ActivityKind, ActivityStatus
from phoihop.activities.models import Activity, ItineraryDay, SecurityMeasure
from phoihop.core.text import fold

ONE_DAY = dt.timedelta(days=1)

# Monday first, as weeks are counted in Vietnam.
WEEKDAYS = (
    _("Thứ Hai"),
    _("Thứ Ba"),
    _("Thứ Tư"),
    _("Thứ Năm"),
    _("Thứ Sáu"),
    _("Thứ Bảy"),
    _("Chủ nhật"),
)
WEEKDAYS_SHORT = (_("T2"), _("T3"), _("T4"), _("T5"), _("T6"), _("T7"), _("CN"))

# Short names of the kinds, to fit a day of the month grid (the full name goes with it).
KIND_SHORT = {
    ActivityKind.INCOMING: _("Đoàn vào"),
    ActivityKind.OUTGOING: _("Đoàn ra"),
    ActivityKind.EVENT: _("Sự kiện"),
    ActivityKind.NGO: _("Phi chính phủ"),
    ActivityKind.PRESS: _("Báo chí"),
    ActivityKind.BORDER_VISIT: _("Biên giới"),
}

VENUE = "venue"
UNIT = "unit"


def daterange(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    """Every day from `first` to `last`, both included."""
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and the Sunday of the week holding `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of the month holding `day`."""
    last = pycalendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def month_grid_range(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday before the month of `day` begins and the Sunday after it ends."""
    first, last = month_of(day)
    return week_of(first)[0], week_of(last)[1]


def previous_month(day: dt.date) -> dt.date:
    return month_of(day)[0] - ONE_DAY


def next_month(day: dt.date) -> dt.date:
    return month_of(day)[1] + ONE_DAY


def in_range(queryset: models.QuerySet, date_from: dt.date, date_to: dt.date):
    """The activities of `queryset` taking place on at least one day of the range."""
    return queryset.filter(starts_on__lte=date_to, ends_on__gte=date_from)


# --- conflicts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """Two activities sharing a venue or a unit on one day."""

    day: dt.date
    kind: str  # VENUE or UNIT
    first: Activity
    second: Activity
    # The venue as each activity wrote it (VENUE), or the unit both need (UNIT).
    venues: tuple[str, str] = ("", "")
    unit: Unit | None = None

    @property
    def kind_label(self) -> str:
        return str(_("Trùng nơi làm việc")) if self.kind == VENUE else str(_("Trùng đơn vị"))

    @property
    def what(self) -> str:
        """The venue (both spellings when they differ) or the unit, for the reader."""
        if self.kind == UNIT:
            return self.unit.name if self.unit else ""
        first, second = self.venues
        return first if first == second else f"{first} / {second}"

    def involves(self, activity_id: int) -> bool:
        return activity_id in (self.first.pk, self.second.pk)


def _as_dict(activities) -> dict[int, Activity]:
    return {a.pk: a for a in activities if a.status != ActivityStatus.CANCELLED}


def _venue_key(stop: ItineraryDay) -> str:
    # The key the services store; folded here as well for a row written without one.
    return stop.venue_key or fold(stop.venue)


def conflicts(activities, date_from: dt.date, date_to: dt.date) -> list[Conflict]:
    """The venue and unit conflicts between `activities` on the days of the range.

    `activities` is a queryset or a list of activities the reader may see; two
    queries follow, whatever their number (the stops in the range, the measures).
    One conflict per pair of activities, day and venue or unit, in order of day.
    """
    acts = _as_dict(activities)
    if len(acts) < 2:
        return []
    ids = sorted(acts)
    found: list[Conflict] = []

    # venue key and day → {activity id: the venue as that activity wrote it}
    venues: dict[tuple[dt.date, str], dict[int, str]] = defaultdict(dict)
    stops = (
        ItineraryDay.objects.filter(activity_id__in=ids, day__range=(date_from, date_to))
        .exclude(venue="")
        .only("activity_id", "day", "venue", "venue_key")
        .order_by("day", "id")
    )
    for stop in stops:
        key = _venue_key(stop)
        if key:
            venues[(stop.day, key)].setdefault(stop.activity_id, stop.venue)
    for (day, _key), by_activity in venues.items():
        for a, b in combinations(_ordered(by_activity, acts), 2):
            found.append(
                Conflict(day, VENUE, acts[a], acts[b], venues=(by_activity[a], by_activity[b]))
            )

    # unit and day → {activity id: unit}
    units: dict[tuple[dt.date, int], dict[int, Unit]] = defaultdict(dict)
    measures = SecurityMeasure.objects.filter(activity_id__in=ids).select_related("unit")
    for measure in measures:
        activity = acts[measure.activity_id]
        if measure.day is not None:
            days: Iterable[dt.date] = (measure.day,)
        else:
            days = daterange(max(activity.starts_on, date_from), min(activity.ends_on, date_to))
        for day in days:
            if date_from <= day <= date_to:
                units[(day, measure.unit_id)].setdefault(activity.pk, measure.unit)
    for (day, _unit_id), by_activity in units.items():
        for a, b in combinations(_ordered(by_activity, acts), 2):
            found.append(Conflict(day, UNIT, acts[a], acts[b], unit=by_activity[a]))

    found.sort(key=lambda c: (c.day, c.kind != VENUE, c.what, c.first.pk, c.second.pk))
    return found


def _ordered(ids: Iterable[int], acts: dict[int, Activity]) -> list[int]:
    return sorted(ids, key=lambda pk: (acts[pk].starts_on, pk))


# --- grids -------------------------------------------------------------------------------------


@dataclass
class Entry:
    """An activity on one day of the grid, with that day's stops of its itinerary."""

    activity: Activity
    stops: list[ItineraryDay]
    first_day: bool
    last_day: bool
    conflicted: bool = False

    @property
    def kind_short(self) -> str:
        return str(KIND_SHORT.get(self.activity.kind, self.activity.get_kind_display()))

    @property
    def dates(self) -> str:
        """The activity's dates when it lasts more than one day, else nothing."""
        a = self.activity
        if a.starts_on == a.ends_on:
            return ""
        return f"{a.starts_on:%d/%m/%Y} – {a.ends_on:%d/%m/%Y}"


@dataclass
class Day:
    """One day of a grid."""

    day: dt.date
    in_period: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def weekday(self) -> str:
        return str(WEEKDAYS[self.day.weekday()])

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5


def build_days(
    activities: list[Activity],
    date_from: dt.date,
    date_to: dt.date,
    *,
    today: dt.date,
    period: tuple[dt.date, dt.date] | None = None,
    found: Iterable[Conflict] = (),
) -> list[Day]:
    """The days of the range, each with the activities taking place on it.

    One query: the stops of the activities' itineraries within the range. `period`
    is the month (days outside it are shown, muted); `found` the conflicts to mark.
    """
    period = period or (date_from, date_to)
    days = {
        d: Day(d, period[0] <= d <= period[1], d == today) for d in daterange(date_from, date_to)
    }
    stops: dict[tuple[int, dt.date], list[ItineraryDay]] = defaultdict(list)
    if activities:
        for stop in ItineraryDay.objects.filter(
            activity_id__in=[a.pk for a in activities], day__range=(date_from, date_to)
        ).order_by("day", "id"):
            stops[(stop.activity_id, stop.day)].append(stop)
    by_day: dict[dt.date, list[Conflict]] = defaultdict(list)
    for conflict in found:
        by_day[conflict.day].append(conflict)
    ordered = sorted(activities, key=lambda a: (a.starts_on, a.ends_on, a.pk))
    for activity in ordered:
        first = max(activity.starts_on, date_from)
        last = min(activity.ends_on, date_to)
        for d in daterange(first, last):
            days[d].entries.append(
                Entry(
                    activity,
                    stops.get((activity.pk, d), []),
                    first_day=d == activity.starts_on,
                    last_day=d == activity.ends_on,
                    conflicted=any(c.involves(activity.pk) for c in by_day.get(d, ())),
                )
            )
    for d, day_conflicts in by_day.items():
        if d in days:
            days[d].conflicts = day_conflicts
    return list(days.values())


def weeks(days: list[Day]) -> list[list[Day]]:
    """The days of a month grid cut into weeks of seven (the grid starts on a Monday)."""
    return [days[i : i + 7] for i in range(0, len(days), 7)]
