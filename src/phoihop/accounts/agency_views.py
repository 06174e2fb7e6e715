"""Administration of agencies: the list, adding one, recording a merger or renaming.

Administrators only; for anyone else these pages do not exist (404). A succession is
recorded in two steps: the form, then a confirmation that counts what will pass to the
successor (open dossiers, users, units, regulations) before anything moves.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from phoihop.accounts import services, succession
from phoihop.accounts.forms import AgencyForm, AgencySuccessionForm
from phoihop.accounts.models import Agency
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors
from phoihop.core.views import AllowedUsersMixin


class AdministratorsOnly(AllowedUsersMixin):
    def allowed(self, user) -> bool:
        return services.is_administrator(user)


class AgencyListView(AdministratorsOnly, View):
    def get(self, request):
        agencies = (
            policy.restrict(Agency.objects.all(), request.user)
            .select_related("successor")
            .annotate(user_count=Count("users"))
            .order_by("kind", "name")
        )
        return render(request, "accounts/agency_list.html", {"agencies": agencies})


class AgencyCreateView(AdministratorsOnly, View):
    template_name = "accounts/agency_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": AgencyForm()})

    def post(self, request):
        form = AgencyForm(request.POST)
        if form.is_valid():
            try:
                agency = services.agency_create(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã thêm cơ quan %(name)s.") % {"name": agency.name})
                return redirect("accounts:agency-list")
        return render(request, self.template_name, {"form": form})


class AgencySuccessionView(AdministratorsOnly, View):
    """GET: the form. POST: the confirmation with the counts; POST with `confirm`: do it."""

    template_name = "accounts/agency_succession.html"
    confirm_template_name = "accounts/agency_succession_confirm.html"

    def get(self, request):
        initial = {}
        if request.GET.get("agency", "").isdigit():
            initial["agency"] = int(request.GET["agency"])
        return render(request, self.template_name, {"form": AgencySuccessionForm(initial=initial)})

    def post(self, request):
        form = AgencySuccessionForm(request.POST)
        if not form.is_valid() or "back" in request.POST:
            return render(request, self.template_name, {"form": form})
        data = form.cleaned_data
        args = {"agency": data["agency"], "successor": data["successor"], "on": data["on"]}
        try:
            if "confirm" in request.POST:
                counts = succession.agency_succeed(actor=request.user, note=data["note"], **args)
            else:
                counts = succession.agency_succession_preview(actor=request.user, **args)
        except ServiceError as exc:
            add_service_errors(form, exc)
            return render(request, self.template_name, {"form": form})
        if "confirm" not in request.POST:
            return render(
                request, self.confirm_template_name, {"form": form, "counts": counts, **args}
            )
        messages.success(
            request,
            _(
                "Đã ghi nhận %(agency)s hợp nhất vào %(successor)s: chuyển %(dossiers)d hồ sơ "
                "đang xử lý, %(users)d người dùng, %(units)d đơn vị; %(regulations)d quy chế "
                "có thêm bên kế thừa, %(flagged)d quy chế cần ký lại."
            )
            % {
                "agency": data["agency"].name,
                "successor": data["successor"].name,
                "dossiers": counts.dossiers,
                "users": counts.users,
                "units": counts.units,
                "regulations": counts.regulations,
                "flagged": counts.regulations_flagged,
            },
        )
        return redirect("accounts:agency-list")
