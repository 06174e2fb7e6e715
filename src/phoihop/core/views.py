"""The dashboard and generic view helpers."""

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from phoihop.core import policy
from phoihop.core.workdays import add_working_days
from phoihop.dossiers.choices import OPEN_STATUSES
from phoihop.dossiers.models import Dossier, Task

DUE_SOON_WORKING_DAYS = 5


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "core/dashboard.html"

    def get(self, request, *args, **kwargs):
        # newsroom: an editor works no dossier and no task; their home is the editorial desk.
        if getattr(request.user, "role", None) == "editor" and request.user.agency_id:
            return redirect("newsroom:list")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        dossiers = policy.restrict(Dossier.objects.all(), user)
        open_dossiers = dossiers.filter(status__in=OPEN_STATUSES)
        ctx["open_count"] = open_dossiers.count()
        ctx["my_open"] = (
            open_dossiers.filter(lead_agency_id=user.agency_id)
            .select_related("category", "counterpart")
            .order_by("-opened_on", "-id")[:10]
        )
        tasks = policy.restrict(Task.objects.all(), user).filter(
            agency_id=user.agency_id,
            done_on__isnull=True,
            due_on__isnull=False,
            dossier__status__in=OPEN_STATUSES,
        )
        horizon = add_working_days(today, DUE_SOON_WORKING_DAYS)
        ctx["overdue_count"] = tasks.filter(due_on__lt=today).count()
        ctx["tasks_due"] = (
            tasks.filter(due_on__lte=horizon)
            .select_related("dossier", "unit")
            .order_by("due_on", "id")[:15]
        )
        ctx["today"] = today
        # Verification requests the user's agency must answer, or chase abroad (subjects).
        from phoihop.subjects.selectors import dashboard_verifications

        ctx.update(dashboard_verifications(user, today, horizon))
        year_start = dt.date(today.year, 1, 1)
        ctx["year"] = today.year
        ctx["by_category"] = (
            policy.restrict(Dossier.objects.all(), user, policy.AGGREGATE)
            .filter(opened_on__gte=year_start, opened_on__lte=today)
            .values("category__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "category__name")
        )
        return ctx


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token: the project's 403 page, in the user's language."""
    from django.shortcuts import render

    return render(request, "403.html", {"csrf_failed": True}, status=403)


class AllowedUsersMixin(LoginRequiredMixin):
    """A page that exists only for some signed-in users: everyone else gets 404.

    Views say who with `allowed(user)`; anonymous users still go to sign in.
    """

    def allowed(self, user) -> bool:
        return True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.allowed(request.user):
            raise policy.NotFound
        return super().dispatch(request, *args, **kwargs)
