"""An agenda of activities as iCalendar (RFC 5545), written by hand.

One all-day VEVENT per activity: DTSTART;VALUE=DATE on its first day and DTEND on
the day after its last (the end is exclusive), a UID that stays the same across
downloads (built from the dossier's reference, not from a database id alone), the
title, the first venue, and a description holding nothing classified beyond the
title and the dates: no member, no vetting result or reason, no assessment.

Text values escape backslash, semicolon, comma and newlines (3.3.11); lines end
in CRLF and are folded at 75 octets without cutting a UTF-8 character (3.1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.activities.choices import ActivityStatus
from phoihop.activities.models import Activity
from phoihop.core.choices import Classification

CRLF = "\r\n"
LINE_OCTETS = 75
PRODID = "-//phoihop//Lich hoat dong doi ngoai//VI"
UID_DOMAIN = "phoihop"

_STATUS = {
    ActivityStatus.REGISTERED: "TENTATIVE",
    ActivityStatus.VETTING: "TENTATIVE",
    ActivityStatus.ANSWERED: "CONFIRMED",
    ActivityStatus.CLOSED: "CONFIRMED",
    ActivityStatus.CANCELLED: "CANCELLED",
}


def escape_text(value: str) -> str:
    """A TEXT value: \\ ; , escaped, every kind of line break as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\n", "\\n")


def fold(line: str) -> str:
    """`line` cut into lines of at most 75 octets, each continuation starting with a space."""
    data = line.encode("utf-8")
    if len(data) <= LINE_OCTETS:
        return line
    parts = []
    limit = LINE_OCTETS
    while data:
        cut = min(limit, len(data))
        # Never between the bytes of one character: back off over continuation bytes.
        while cut < len(data) and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        parts.append(data[:cut].decode("utf-8"))
        data = data[cut:]
        limit = LINE_OCTETS - 1  # the leading space of a continuation line counts
    return (CRLF + " ").join(parts)


def _date(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def _stamp(value: dt.datetime | None) -> str:
    value = value or timezone.now()
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def uid(activity: Activity) -> str:
    """Stable across downloads and databases: the dossier's reference names the activity."""
    return f"activity-{activity.dossier.reference}@{UID_DOMAIN}"


def _location(activity: Activity) -> str:
    """The first venue of the itinerary, with its place; the first place if no venue."""
    stops = list(activity.itinerary.all())
    for stop in stops:
        if stop.venue:
            return f"{stop.venue}, {stop.place}" if stop.place else stop.venue
    return stops[0].place if stops else ""


def _description(activity: Activity) -> str:
    lines = []
    level = activity.dossier.classification
    if level and level != Classification.THUONG:
        lines.append(str(Classification(level).label).upper())
    lines.append(str(activity.get_kind_display()))
    lines.append(
        _("Từ %(start)s đến %(end)s")
        % {"start": f"{activity.starts_on:%d/%m/%Y}", "end": f"{activity.ends_on:%d/%m/%Y}"}
    )
    lines.append(_("Hồ sơ số %(reference)s") % {"reference": activity.dossier.reference})
    lines.append(_("Trạng thái: %(status)s") % {"status": activity.get_status_display()})
    return "\n".join(lines)


def _summary(activity: Activity) -> str:
    """The title; for a classified activity only its mark and dossier number: the file
    goes into calendar programs outside the system, where the title would travel."""
    level = activity.dossier.classification
    if level and level != Classification.THUONG:
        return _("[%(mark)s] Hoạt động đối ngoại, hồ sơ %(reference)s") % {
            "mark": str(Classification(level).label).upper(),
            "reference": activity.dossier.reference,
        }
    return activity.dossier.title


def event_lines(activity: Activity, *, url: str = "") -> list[str]:
    """The unfolded content lines of one activity's VEVENT.

    Reads activity.dossier and activity.itinerary: select and prefetch them.
    """
    classified = activity.dossier.classification > Classification.THUONG
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid(activity))}",
        # Without METHOD, DTSTAMP is when the information was last revised (3.8.7.2).
        f"DTSTAMP:{_stamp(activity.updated_at)}",
        f"DTSTART;VALUE=DATE:{_date(activity.starts_on)}",
        f"DTEND;VALUE=DATE:{_date(activity.ends_on + dt.timedelta(days=1))}",
        f"SUMMARY:{escape_text(_summary(activity))}",
    ]
    location = "" if classified else _location(activity)
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines.append(f"DESCRIPTION:{escape_text(_description(activity))}")
    lines.append(f"STATUS:{_STATUS.get(activity.status, 'TENTATIVE')}")
    lines.append("CLASS:CONFIDENTIAL" if classified else "CLASS:PUBLIC")
    lines.append("TRANSP:TRANSPARENT")
    if url:
        lines.append(f"URL;VALUE=URI:{url}")
    lines.append("END:VEVENT")
    return lines


def calendar_text(activities: Iterable[Activity], *, name: str, url_for=None) -> str:
    """The whole VCALENDAR, CRLF line ends, folded; `url_for(activity)` gives each page."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape_text(name)}",
        "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
    ]
    for activity in activities:
        lines.extend(event_lines(activity, url=url_for(activity) if url_for else ""))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
