"""The history of changes of one object, as far as the reader may see it."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View

from phoihop.audit.choices import action_label
from phoihop.audit.selectors import describe, object_history
from phoihop.core import policy

PAGE_SIZE = 50


def history_context(request, obj) -> dict:
    """The context of `audit/history.html` for `obj`, paged, as far as the reader may see."""
    page = Paginator(object_history(request.user, obj), PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [
        (event, action_label(event.action), changes)
        for event, changes in describe(list(page.object_list), request.user)
    ]
    return {"object": obj, "page_obj": page, "entries": entries}


class ObjectHistoryView(LoginRequiredMixin, View):
    """`/<object>/history/` for any model with a policy rule: 404 unless the object is visible."""

    model = None
    lookup = "pk"

    def get(self, request, **kwargs):
        obj = policy.get_or_404(
            self.model._default_manager.all(), request.user, **{self.lookup: kwargs[self.lookup]}
        )
        return render(request, "audit/history.html", history_context(request, obj))
