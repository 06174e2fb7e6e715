from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views import View

from phoihop.core import policy
from phoihop.regulations.models import Regulation
from phoihop.regulations.policy import may_edit
from phoihop.regulations.selectors import regulation_tree, regulations_for


class RegulationListView(LoginRequiredMixin, View):
    def get(self, request):
        return render(
            request,
            "regulations/list.html",
            {
                "regulations": regulations_for(request.user),
                # the import page's link (regulations/_import_link.html)
                "may_import": may_edit(request.user),
            },
        )


class RegulationDetailView(LoginRequiredMixin, View):
    def get(self, request, code):
        regulation = policy.get_or_404(
            Regulation.objects.prefetch_related("parties"), request.user, code=code
        )
        return render(
            request,
            "regulations/detail.html",
            {
                "regulation": regulation,
                "chapters": regulation_tree(regulation),
                "categories": regulation.categories.select_related("clause__article"),
            },
        )
