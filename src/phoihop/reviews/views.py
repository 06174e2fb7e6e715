from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from phoihop.accounts.choices import AGGREGATE_ROLES
from phoihop.core import policy
from phoihop.regulations.choices import CategoryKind
from phoihop.regulations.models import Regulation
from phoihop.reviews.charts import bar_chart_svg
from phoihop.reviews.forms import StatisticsForm
from phoihop.reviews.statistics import compute_statistics


def _form(request):
    data = request.GET.copy()
    form = StatisticsForm(data if data else None)
    if not data:
        form = StatisticsForm(
            {
                "regulation": "",
                "date_from": StatisticsForm.base_fields["date_from"].initial.strftime("%d/%m/%Y"),
                "date_to": StatisticsForm.base_fields["date_to"].initial.strftime("%d/%m/%Y"),
            }
        )
    form.fields["regulation"].queryset = policy.restrict(Regulation.objects.all(), request.user)
    return form


def _stats(request, form):
    data = form.cleaned_data
    return compute_statistics(
        actor=request.user,
        date_from=data["date_from"],
        date_to=data["date_to"],
        regulation=data["regulation"],
    )


def _category_totals(stats) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for row in stats["by_category"]:
        if row["status"] == "resolved":
            totals[row["name"]] = totals.get(row["name"], 0) + row["count"]
    return sorted(totals.items(), key=lambda kv: -kv[1])


class StatisticsView(LoginRequiredMixin, View):
    def get(self, request):
        form = _form(request)
        ctx = {"form": form}
        status = 200
        if form.is_valid():
            stats = _stats(request, form)
            ctx.update(
                stats=stats,
                category_totals=_category_totals(stats),
                chart_query=request.GET.urlencode(),
                kinds=dict(CategoryKind.choices),
                # Leaders, the secretariat and oversight count every dossier of the
                # regulation; everyone else only the dossiers they may see.
                whole=request.user.role in AGGREGATE_ROLES,
            )
        else:
            status = 400
        return render(request, "reviews/statistics.html", ctx, status=status)


class StatisticsChartView(LoginRequiredMixin, View):
    """The resolved dossiers by category as SVG, drawn from the same statistics."""

    def get(self, request):
        form = _form(request)
        if not form.is_valid():
            return HttpResponse(status=400)
        totals = _category_totals(_stats(request, form))
        svg = bar_chart_svg(
            [name for name, _n in totals],
            [n for _name, n in totals],
            _("Hồ sơ đã giải quyết theo lĩnh vực"),
        )
        response = HttpResponse(svg, content_type="image/svg+xml")
        # An SVG image draws its text with inline style; it runs no script.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        return response
