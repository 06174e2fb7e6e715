"""The activities calendar pages (month, week) and the personal agenda (ICS).

Every activity shown comes from `selectors.visible_activities(user)`, the policy's
queryset; the filters only narrow it. A page reads a fixed number of queries,
whatever the number of activities or days.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from phoihop.accounts.choices import AgencyKind
from phoihop.accounts.models import Agency
from phoihop.activities import calendar, ics, selectors
from phoihop.activities.choices import ActivityKind, ActivityStatus
from phoihop.activities.models import ItineraryDay, SecurityMeasure
from phoihop.core.forms import DateInput
from phoihop.core.views import AllowedUsersMixin
from phoihop.dossiers.models import DossierParty

MONTH = "month"
WEEK = "week"
ALL_AGENCIES = "all"
DATE_FORMAT = "%d/%m/%Y"
FIRST_YEAR, LAST_YEAR = 1900, 2100


class CalendarFilterForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Ngày cần xem"),
        required=False,
        input_formats=[DATE_FORMAT, "%Y-%m-%d"],
        widget=DateInput(),
        help_text=gettext_lazy(
            "Lịch hiện tháng (hoặc tuần) có ngày này; định dạng ngày/tháng/năm, "
            "ví dụ 15/03/2010. Để trống: hôm nay."
        ),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Loại hoạt động"),
        required=False,
        choices=[("", gettext_lazy("Tất cả")), *ActivityKind.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"),
        required=False,
        choices=[("", gettext_lazy("Tất cả")), *ActivityStatus.choices],
    )
    agency = forms.ChoiceField(
        label=gettext_lazy("Cơ quan tham gia"),
        required=False,
        help_text=gettext_lazy(
            "Chỉ hiện các hoạt động bạn được phép xem, của bất kỳ cơ quan nào được chọn."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = list(Agency.objects.filter(kind=AgencyKind.DOMESTIC).order_by("name"))
        own = _("Cơ quan của tôi")
        for agency in agencies:
            if agency.pk == getattr(user, "agency_id", None):
                own = _("Cơ quan của tôi (%(name)s)") % {"name": agency.short_name}
        self.fields["agency"].choices = [
            ("", own),
            (ALL_AGENCIES, _("Tất cả cơ quan (lịch chung)")),
            *((str(a.pk), a.short_name) for a in agencies),
        ]

    def clean_date(self):
        day = self.cleaned_data.get("date")
        # A grid reaches into the weeks around its month: keep clear of the calendar's ends.
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Chỉ xem được lịch từ năm %(first)d đến năm %(last)d.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return day


def _today() -> dt.date:
    return timezone.localdate()


def _filtered(queryset, data, user):
    """The activities matching the filters; no agency chosen means the user's own."""
    if data.get("kind"):
        queryset = queryset.filter(kind=data["kind"])
    if data.get("status"):
        queryset = queryset.filter(status=data["status"])
    agency = data.get("agency") or ""
    if agency == ALL_AGENCIES:
        return queryset
    agency_id = int(agency) if agency else getattr(user, "agency_id", None)
    if agency_id is None:
        return queryset.none()
    party = DossierParty.objects.filter(dossier_id=OuterRef("dossier_id"), agency_id=agency_id)
    return queryset.filter(Exists(party))


def _agency_label(form, data) -> str:
    value = data.get("agency") or ""
    return str(dict(form.fields["agency"].choices).get(value, ""))


class CaseworkOnly(AllowedUsersMixin):
    """Activities are casework: oversight and administrators reach no calendar (404)."""

    def allowed(self, user) -> bool:
        return user.does_casework


class CalendarView(CaseworkOnly, View):
    """A month or a week of the activities the user may see, with their conflicts."""

    span = MONTH

    def get(self, request):
        user = request.user
        form = CalendarFilterForm(request.GET or None, user=user)
        valid = form.is_valid() if form.is_bound else True
        data = form.cleaned_data if form.is_bound and valid else {}
        today = _today()
        anchor = data.get("date") or today
        if self.span == MONTH:
            period = calendar.month_of(anchor)
            date_from, date_to = calendar.month_grid_range(anchor)
        else:
            period = calendar.week_of(anchor)
            date_from, date_to = period

        # A filter value the form refuses selects nothing: the grid stays empty.
        visible = calendar.in_range(selectors.visible_activities(user), date_from, date_to)
        if valid:
            in_view = list(
                visible.select_related("dossier", "dossier__lead_agency").order_by(
                    "starts_on", "id"
                )
            )
            shown_ids = set(_filtered(visible, data, user).values_list("pk", flat=True))
        else:
            in_view, shown_ids = [], set()
        shown = [a for a in in_view if a.pk in shown_ids]
        # Conflicts are found among every activity the user may see, whatever the
        # filters, and listed when they concern one shown.
        found = [
            c
            for c in calendar.conflicts(in_view, date_from, date_to)
            if c.first.pk in shown_ids or c.second.pk in shown_ids
        ]
        days = calendar.build_days(
            shown, date_from, date_to, today=today, period=period, found=found
        )
        context = {
            "form": form,
            "span": self.span,
            "today": today,
            "anchor": anchor,
            "period": period,
            "date_from": date_from,
            "date_to": date_to,
            "days": days,
            "weeks": calendar.weeks(days) if self.span == MONTH else None,
            "weekdays": [str(w) for w in calendar.WEEKDAYS],
            "shown_count": len(shown),
            "conflict_rows": _conflict_rows(found),
            "agency_label": _agency_label(form, data),
            "nav": self._nav(request, anchor, data if valid else {}),
            "period_label": _period_label(self.span, period),
            "ics_url": reverse("activities:calendar-ics"),
        }
        status = 200 if valid else 400
        template = (
            "activities/calendar_month.html"
            if self.span == MONTH
            else "activities/calendar_week.html"
        )
        return render(request, template, context, status=status)

    def _nav(self, request, anchor, data) -> dict:
        """Previous, current and next links, and the other span, keeping the filters."""
        keep = {k: data[k] for k in ("kind", "status", "agency") if data.get(k)}

        def link(name, day=None):
            query = dict(keep)
            if day is not None:
                query["date"] = day.strftime(DATE_FORMAT)
            url = reverse(name)
            return f"{url}?{urlencode(query)}" if query else url

        here = request.resolver_match.view_name
        month_name, week_name = "activities:calendar", "activities:calendar-week"
        if self.span == MONTH:
            first, _last = calendar.month_of(anchor)
            previous = calendar.month_of(calendar.previous_month(anchor))[0]
            following = calendar.next_month(anchor)
            # The week to open: today's if this month holds it, else the month's first.
            today = _today()
            week_day = today if calendar.month_of(today)[0] == first else first
            other = link(week_name, week_day)
        else:
            monday, _sunday = calendar.week_of(anchor)
            previous = monday - dt.timedelta(days=7)
            following = monday + dt.timedelta(days=7)
            other = link(month_name, anchor)
        return {
            "plain": reverse(here),
            "previous": link(here, previous),
            "current": link(here),
            "next": link(here, following),
            "other": other,
        }


class WeekView(CalendarView):
    span = WEEK


def _period_label(span, period) -> str:
    first, last = period
    if span == MONTH:
        return _("Tháng %(month)d/%(year)d") % {"month": first.month, "year": first.year}
    return _("Tuần từ %(start)s đến %(end)s") % {
        "start": first.strftime(DATE_FORMAT),
        "end": last.strftime(DATE_FORMAT),
    }


def _conflict_rows(found):
    """Each conflict with the anchor id of its day on the first of that day's rows."""
    rows, seen = [], set()
    for conflict in found:
        anchor = ""
        if conflict.day not in seen:
            seen.add(conflict.day)
            anchor = f"xung-dot-{conflict.day:%Y-%m-%d}"
        rows.append((conflict, anchor))
    return rows


class MyAgendaView(CaseworkOnly, View):
    """The user's own assignments as an ICS file: their unit vets, secures or hosts the activity."""

    def get(self, request):
        user = request.user
        activities = selectors.visible_activities(user)
        unit_id = getattr(user, "unit_id", None)
        if unit_id is None:
            activities = activities.none()
        else:
            measure = SecurityMeasure.objects.filter(activity_id=OuterRef("pk"), unit_id=unit_id)
            # The unit vets it, secures part of it, or hosts it.
            activities = activities.filter(
                Q(vetting_task__unit_id=unit_id) | Q(Exists(measure)) | Q(host_unit_id=unit_id)
            )
        activities = (
            activities.select_related("dossier")
            .prefetch_related(Prefetch("itinerary", ItineraryDay.objects.order_by("day", "id")))
            .order_by("starts_on", "id")
        )
        text = ics.calendar_text(
            activities,
            name=_("Lịch công tác đối ngoại của tôi"),
            url_for=lambda a: request.build_absolute_uri(activity_url(a)),
        )
        response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="lich-cua-toi.ics"'
        response["Cache-Control"] = "private, no-store"
        return response


def activity_url(activity) -> str:
    return reverse("activities:detail", args=[activity.pk])
