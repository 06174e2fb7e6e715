"""The activities calendar, mounted under /activities/lich/ in the "activities" namespace."""

from django.urls import path

from phoihop.activities import calendar_views

urlpatterns = [
    path("", calendar_views.CalendarView.as_view(), name="calendar"),
    path("tuan/", calendar_views.WeekView.as_view(), name="calendar-week"),
    path("cua-toi.ics", calendar_views.MyAgendaView.as_view(), name="calendar-ics"),
]
